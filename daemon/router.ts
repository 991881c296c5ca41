/**
 * The router: the only place that checks "known command", session and arity, in the protocol's order
 * (unknown command, then session, then parameters). Handlers only do their job. An exception out of a handler is
 * our bug: it is logged with its stack and answered with a generic ERROR; the connection keeps serving. A store that
 * cannot reach its database (StoreUnavailableError) is not our bug: UNAVAILABLE, logged once per burst.
 */
import {parseParams, splitRequest, type SplitRequest} from '../common/protocol/request.js';
import {error, type Reply} from '../common/protocol/replies.js';
import type {CommandSpec} from '../common/protocol/commands.js';
import type {RequestContext, Services, Session} from './context.js';
import {HANDLERS} from './handlers/index.js';
import {isStoreUnavailable} from './store/errors.js';

/** What the router needs of the connection a line came from. */
export interface ConnectionState {
  /** The session bound by this connection's last successful auth/register. */
  session: Session | undefined;
  readonly id: number;
  /** The connection's request context without a session; each request gets a child with its own. */
  readonly baseContext: RequestContext;
}

type Answer = Reply | undefined | Promise<Reply | undefined>;

/**
 * Answers one request line; undefined for a blank line (which gets no reply). Synchronous when the session lookup
 * and the handler are; a promise otherwise (a session missing from the cache, a store call, hashing, a long poll).
 * With a synchronous store those promises settle within the turn, so a connection still answers a whole pipeline
 * in one turn.
 */
export function routeLine(line: string, connection: ConnectionState, services: Services): Answer {
  const split = splitRequest(line);
  if (!split) return undefined;
  const {spec} = split;
  if (!spec) return error('UNKNOWN_COMMAND');
  if (!spec.session) return dispatch({...split, spec}, undefined, connection, services);

  const token = split.token ?? connection.session?.token;
  if (token === undefined) return error('NO_SESSION');
  const failed = (err: unknown) => failureReply(err, services, {command: spec.name, connection: connection.id});
  try {
    const found = services.sessions.lookup(token);
    const withSession = (session: Session | undefined): Answer =>
      session ? dispatch({...split, spec}, session, connection, services) : error('NO_SESSION');
    return found instanceof Promise ? found.then(withSession, failed) : withSession(found);
  } catch (err) {
    return failed(err);
  }
}

/** Checks the parameters and runs the command's handler with the request's session. */
function dispatch(
  split: SplitRequest & {spec: CommandSpec}, session: Session | undefined, connection: ConnectionState, services: Services,
): Answer {
  const checked = parseParams(split);
  if (!checked.ok) return error(checked.code);

  // Per request only the session differs: a child of the connection's context, not a copy of every service.
  const context = Object.create(connection.baseContext) as {-readonly [K in keyof RequestContext]: RequestContext[K]};
  context.session = session;
  const failed = (err: unknown) => failureReply(err, services, {command: split.spec.name, connection: connection.id});
  try {
    const reply = HANDLERS[split.spec.name]!(checked.request, context);
    return reply instanceof Promise ? reply.catch(failed) : reply;
  } catch (err) {
    return failed(err);
  }
}

/**
 * The reply to a request that threw: UNAVAILABLE when the store cannot reach its database (logged once per burst,
 * without a stack: not our bug), otherwise INTERNAL, logged with the stack.
 */
export function failureReply(err: unknown, services: Pick<Services, 'logger' | 'storeOutages'>, fields: Record<string, unknown>): Reply {
  if (isStoreUnavailable(err)) {
    services.storeOutages.note({...fields, reason: err instanceof Error ? err.message : String(err)});
    return error('UNAVAILABLE');
  }
  services.logger.error('handler failed', {...fields, err});
  return error('INTERNAL');
}
