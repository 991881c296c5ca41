/** Turns a command and its arguments into the wire line, through the protocol's buildRequest (one source of truth). */
import {findCommand} from '../protocol/commands.js';
import {buildRequest, isTokenShaped, RequestUsageError} from '../protocol/request.js';

/**
 * Builds the request line (CRLF included) for `command` with `args` (the words after the command, message text
 * last) and, for session commands, the inline `token`. Throws RequestUsageError when the arguments do not fit; the
 * shell calls it before connecting so a typo never needs a daemon.
 */
export function buildRequestLine(command: string, args: readonly (string | number)[], token?: string): string {
  const spec = findCommand(command);
  if (!spec) throw new RequestUsageError(`unknown command: ${command}`);
  // A value that is not token-shaped would be read as the first parameter, so it is never sent inline.
  return buildRequest(spec.name, args, {token: token !== undefined && isTokenShaped(token) ? token : undefined});
}
