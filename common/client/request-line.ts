/** Turns a command and its arguments into the wire line, through the protocol's buildRequest (one source of truth). */
import {findCommand, type CommandSpec} from '../protocol/commands.js';
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
  return buildRequest(spec.name, withGroupsSpelled(spec, args), {token: token !== undefined && isTokenShaped(token) ? token : undefined});
}

/**
 * Clients print groups as `#devs`, so they accept `#devs` wherever a group is expected (issue 12, point 2) and send
 * it the way the protocol spells it: `devs` for a group name, `group:devs` where a user could stand too. Pure.
 */
export function withGroupsSpelled(spec: CommandSpec, args: readonly (string | number)[]): (string | number)[] {
  return args.map((arg, index) => {
    const param = spec.params[index];
    if (param === undefined || typeof arg !== 'string' || !arg.startsWith('#') || arg.length === 1) return arg;
    switch (param.kind) {
      case 'recipients':
      case 'conversation':
      case 'scope':
        return `group:${arg.slice(1)}`;
      case 'group':
        return arg.slice(1);
      case 'name':
        return param.name === 'group' ? arg.slice(1) : arg;
      default:
        return arg;
    }
  });
}
