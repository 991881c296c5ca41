/** What sendfile and sendgroupfile share: reading the file off the request, checking it, storing its content. */
import {decodeFileContent, fileBaseName, fileMessageText} from '../../common/protocol/files.js';
import type {ParsedRequest} from '../../common/protocol/request.js';
import {error, type Reply} from '../../common/protocol/replies.js';
import type {RequestContext} from '../context.js';
import type {FileRef} from '../store/types.js';

/** A checked file with its content stored durably, ready for its message; or the refusal. */
export type StoredFile = {ok: true; file: FileRef; text: string} | {ok: false; reply: Reply};

/**
 * Decodes the request's file (BAD_FILE when its content is not base64), bounds it (FILE_TOO_LARGE past
 * maxFileBytes), takes it from the sender's file allowance (RATE_LIMITED), then writes and fsyncs its content,
 * before any message names it: so an OK still means durable.
 */
export async function storeRequestFile(request: ParsedRequest, context: RequestContext, sender: string, to: string[]): Promise<StoredFile> {
  const content = decodeFileContent(request.fileContent!);
  if (!content) return {ok: false, reply: error('BAD_FILE')};
  if (content.length > context.options.maxFileBytes) {
    return {ok: false, reply: error('FILE_TOO_LARGE', {max_file_bytes: context.options.maxFileBytes})};
  }
  const retryAfter = await context.limits.files.take(sender, null, to, content.length);
  if (retryAfter > 0) return {ok: false, reply: error('RATE_LIMITED', {retry_after: retryAfter})};
  const name = fileBaseName(request.filePath!);
  const sha256 = await context.store.putBlob(content);
  return {ok: true, file: {name, size: content.length, sha256}, text: fileMessageText(name, content.length)};
}
