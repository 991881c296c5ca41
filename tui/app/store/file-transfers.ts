/**
 * Files in the full-screen client. `/file PATH` sends a local file to the conversation on screen (sendfile,
 * sendgroupfile, or sendfilerealm / sendgroupfilerealm for a conversation of another realm, through Messages.send, so it shows at once as a message of ours until the daemon's copy comes
 * with the history); `/save [N] [DIR]` fetches the N-th newest file of the conversation on screen with getfile and
 * writes it into DIR or the download folder, never over an existing file. A transfer over PROGRESS_BYTES shows its
 * progress in the status line while it is in flight (`Sending big.bin to bob  3.1 / 8.0 MiB  39 %`, the share of the
 * request line written; `Fetching big.bin  …`, the share of the reply received, its size taken from the file's
 * history entry), then the result. Announces `session-gone` when the daemon no longer knows us.
 */
import {EventEmitter} from 'node:events';
import {homedir} from 'node:os';
import {resolve} from 'node:path';
import {fileMessageText, formatFileSize} from '../../../common/protocol/files.js';
import type {Reply} from '../../../common/protocol/replies.js';
import {RequestUsageError} from '../../../common/protocol/request.js';
import {downloadDir, expandHome, readFileToSend, saveFile, savedText} from '../../shared/files.js';
import {explainRefusal} from '../../shared/refusals.js';
import {PROGRESS_BYTES, progressAmount, transferView} from '../../shared/transfer-progress.js';
import type {Connections} from './connections.js';
import {titleOf} from './conversations.js';
import type {Messages} from './messages.js';
import {progressStatus} from './progress-status.js';
import {describeConnectionError, isConnectionProblem, isSessionGone, type RequestEvents} from './request-errors.js';
import type {SessionEpoch} from './session-epoch.js';
import type {StoreState} from './store-state.js';
import type {ConversationView} from './types.js';

/**
 * The largest file /file reads: the daemon refuses what is over its --max-file-bytes (8 MiB by default) anyway, and
 * this keeps a mistaken `/file` of a disk image from filling the memory first.
 */
export const MAX_SEND_BYTES = 64 * 1024 * 1024;

/** How long to wait for the reply of a file request of `bytes` bytes: 30 s, plus 4 ms per KiB (256 KiB/s). */
export function fileTimeoutMs(bytes: number): number {
  return 30_000 + Math.ceil(bytes / 1024) * 4;
}

/** The protocol command and arguments that send a file to a conversation (of this realm or another). */
export function fileCommand(conversation: Pick<ConversationView, 'kind' | 'name' | 'realm'>, name: string, content: Buffer): {command: string; args: string[]} {
  const file = [name, content.toString('base64')];
  switch (conversation.kind) {
    case 'direct': return {command: 'sendfile', args: [conversation.name, ...file]};
    case 'group': return {command: 'sendgroupfile', args: [conversation.name, ...file]};
    case 'remote-user': return {command: 'sendfilerealm', args: [conversation.realm!, conversation.name, ...file]};
    case 'remote-group': return {command: 'sendgroupfilerealm', args: [conversation.realm!, conversation.name, ...file]};
  }
}

/** What FileTransfers needs besides its collaborators. */
export interface FileTransferOptions {
  /** HOME (for `~`) and the download folder ($XDG_DOWNLOAD_DIR, user-dirs.dirs, ~/Downloads). */
  readonly env: NodeJS.ProcessEnv;
  /** The clock (epoch ms), for the pace of the progress in the status line. */
  readonly now: () => number;
}

/** `/file` and `/save`. */
export class FileTransfers extends EventEmitter<RequestEvents> {
  constructor(
    private readonly state: StoreState,
    private readonly connections: Connections,
    private readonly epoch: SessionEpoch,
    private readonly messages: Messages,
    private readonly options: FileTransferOptions,
  ) {
    super();
  }

  /** `/file PATH`: sends the file at PATH (`~` is the home folder, relative to the working folder) to the conversation on screen. */
  async send(path: string): Promise<void> {
    const {state} = this;
    const conversation = this.#onScreen('/file');
    if (!conversation) return;
    const key = conversation.key;
    const file = readFileToSend(resolve(this.#local(path)), MAX_SEND_BYTES);
    if (!file.ok) {
      state.setStatus(`/file: ${file.reason}`, 'error', key);
      return;
    }
    const size = file.content.length;
    const label = `${file.name} (${formatFileSize(size)})`;
    const title = titleOf(conversation);
    const big = size > PROGRESS_BYTES;
    if (big) state.setStatus(`Sending ${label} to ${title}…`, 'info', key);
    const onProgress = big ? progressStatus(state, key, this.options.now, (progress) => {
      const view = transferView('send', progress, size);
      return view && `Sending ${file.name} to ${title}  ${progressAmount(view)}`;
    }) : undefined;
    const reply = await this.messages.send(conversation, fileMessageText(file.name, size),
      {...fileCommand(conversation, file.name, file.content), timeoutMs: fileTimeoutMs(size), ...(onProgress ? {onProgress} : {})});
    // A queued file (its realm is down) keeps the "Queued for …" status Messages.send gave it.
    if (reply?.status === 'OK' && reply.queued !== true) state.setStatus(`Sent ${label} to ${title}.`, 'ok', key);
  }

  /** `/save [N] [DIR]`: the N-th newest file (1 = newest) of the conversation on screen, into DIR or the download folder. */
  async save(index: number, dir: string | undefined): Promise<void> {
    const {state, epoch, connections} = this;
    const conversation = this.#onScreen('/save');
    if (!conversation) return;
    const key = conversation.key;
    const title = titleOf(conversation);
    const files = conversation.messages.filter((message) => message.file !== undefined && message.id > 0).reverse();
    if (files.length === 0) {
      state.setStatus(`/save: no file in ${title} yet (files show as [file] NAME (SIZE); PgUp loads older messages)`, 'error', key);
      return;
    }
    const chosen = files[index - 1]?.file;
    if (!chosen) {
      state.setStatus(`/save: ${title} has ${files.length} file${files.length === 1 ? '' : 's'} on screen; /save ${files.length} is the oldest`, 'error', key);
      return;
    }
    const target = dir === undefined ? downloadDir(this.options.env) : resolve(this.#local(dir));
    const label = `${chosen.name} (${formatFileSize(chosen.size)})`;
    const big = chosen.size > PROGRESS_BYTES;
    if (big) state.setStatus(`Fetching ${label}…`, 'info', key);
    const onProgress = big ? progressStatus(state, key, this.options.now, (progress) => {
      const view = transferView('receive', progress, chosen.size);
      return view && `Fetching ${chosen.name}  ${progressAmount(view)}`;
    }) : undefined;
    const generation = epoch.current;
    let reply: Reply;
    try {
      reply = await connections.main.request('getfile', [chosen.id], {timeoutMs: fileTimeoutMs(chosen.size), ...(onProgress ? {onProgress} : {})});
    } catch (error) {
      if (generation !== epoch.current) return;
      if (isConnectionProblem(error)) state.setStatus(`/save: ${describeConnectionError(error, state.current.server)}`, 'error', key);
      else if (error instanceof RequestUsageError) state.setStatus(`/save: ${error.message}`, 'error', key);
      else throw error;
      return;
    }
    if (generation !== epoch.current) return;
    if (reply.status !== 'OK') {
      if (isSessionGone(reply)) this.emit('session-gone');
      else state.setStatus(`/save: ${label}: ${explainRefusal(reply)}`, 'error', key);
      return;
    }
    try {
      state.setStatus(savedText(saveFile(reply, target)), 'ok', key);
    } catch (error) {
      state.setStatus(`/save: cannot save into ${target}: ${(error as Error).message}`, 'error', key);
    }
  }

  /** The conversation on screen, or undefined after saying there is none. */
  #onScreen(command: string): ConversationView | undefined {
    const key = this.state.visibleKey();
    const conversation = key === undefined ? undefined : this.state.current.conversations[key];
    if (!conversation) this.state.setStatus(`${command}: no conversation on screen: pick one with ↑/↓, or open one with /msg USER`, 'error');
    return conversation;
  }

  /** A typed local path with `~` expanded. */
  #local(path: string): string {
    return expandHome(path, this.options.env.HOME ?? homedir());
  }
}
