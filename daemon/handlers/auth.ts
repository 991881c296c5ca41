import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {toWireLogin} from '../../common/protocol/reply-shapes.js';
import type {Handler} from '../context.js';
import {verifyPassword} from '../passwords.js';

/**
 * auth <username> <password>: checks the password and starts a session bound to this connection. Failures back off
 * per username and per source address (AUTH_THROTTLED with `retry_after` seconds, checked before any hashing), and
 * hashing waits its fair turn (limits/hash-queue.ts).
 */
export const auth: Handler = async (request, context) => {
  const username = request.params.username as string;
  const {auth: limiter, hashing} = context.limits;
  const throttled = () => {
    const retryAfter = limiter.retryAfter(username, context.peer);
    return retryAfter > 0 ? error('AUTH_THROTTLED', {retry_after: retryAfter}) : undefined;
  };
  const early = throttled();
  if (early) return early;
  const record = await context.store.getPassword(username);
  if (!record) {
    limiter.failed(username, context.peer, false);
    return error('AUTH_UNKNOWN_USER');
  }
  const verified = await hashing.run(context.peer, record.username, async () => {
    // Attempts queued before a block started are refused without hashing too.
    if (limiter.retryAfter(username, context.peer) > 0) return undefined;
    return verifyPassword(request.params.password as string, record.verifier);
  });
  if (verified === undefined) return throttled() ?? error('AUTH_THROTTLED', {retry_after: 1});
  if (!verified) {
    limiter.failed(record.username, context.peer, true);
    return error('AUTH_WRONG_PASSWORD');
  }
  limiter.succeeded(record.username);
  const session = await context.sessions.create(record.username);
  context.bindSession(session);
  return ok(OK_MESSAGES.auth, toWireLogin(session.token, record.username, context.options.realm));
};
