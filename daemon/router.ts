/**
 * The router: the only place that checks "known command", session and arity, in the protocol's order
 * (unknown command, then session, then parameters). Handlers only do their job. An exception out of a handler is
 * our bug: it is logged with its stack and answered with a generic ERROR; the connection keeps serving.
 */
import {parseParams, splitRequest} from '../common/protocol/request.js';
import {error, type Reply} from '../common/protocol/replies.js';
import type {RequestContext, Services, Session} from './context.js';
import {HANDLERS} from './handlers/index.js';

/** What the router needs of the connection a line came from. */
export interface ConnectionState {
  /** The session bound by this connection's last successful auth/register. */
  session: Session | undefined;
  readonly id: number;
  /** The connection's request context without a session; each request gets a child with its own. */
  readonly baseContext: RequestContext;
}

/**
 * Answers one request line; undefined for a blank line (which gets no reply). Synchronous when the handler is, so a
 * connection can answer a whole pipeline within one turn; a promise when the handler waits (hashing, long polls).
 */
export function routeLine(
  line: string, connection: ConnectionState, services: Services,
): Reply | undefined | Promise<Reply | undefined> {
  const split = splitRequest(line);
  if (!split) return undefined;
  const {spec} = split;
  if (!spec) return error('UNKNOWN_COMMAND');

  let session: Session | undefined;
  if (spec.session) {
    const token = split.token ?? connection.session?.token;
    session = token === undefined ? undefined : services.sessions.lookup(token);
    if (!session) return error('NO_SESSION');
  }

  const checked = parseParams({...split, spec});
  if (!checked.ok) return error(checked.code);

  // Per request only the session differs: a child of the connection's context, not a copy of every service.
  const context = Object.create(connection.baseContext) as {-readonly [K in keyof RequestContext]: RequestContext[K]};
  context.session = session;
  const failed = (err: unknown): Reply => {
    services.logger.error('handler failed', {command: spec.name, connection: connection.id, err});
    return error('INTERNAL');
  };
  try {
    const reply = HANDLERS[spec.name]!(checked.request, context);
    return reply instanceof Promise ? reply.catch(failed) : reply;
  } catch (err) {
    return failed(err);
  }
}
