import {error, ok, OK_MESSAGES, type Reply} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {drainInbox} from '../messaging.js';
import {bySender} from '../wire-format.js';
import {andThen} from '../awaitable.js';

/** One page of a drained inbox. */
type InboxPage = Awaited<ReturnType<typeof drainInbox>>;

/**
 * inbox [wait_seconds]: the caller's unread messages keyed by sender, marked read. With wait_seconds and nothing
 * unread it waits (long poll) up to that long for the first message.
 */
export const inbox: Handler = (request, context) => {
  const {username, token} = sessionOf(context);
  const wait = Math.min(Number(request.params.wait_seconds ?? 0), context.options.maxWaitSeconds);
  const drain = () => drainInbox(context, username);
  const reply = (page: InboxPage): Reply => ok(OK_MESSAGES.inbox, {messages: bySender(page.messages), more: page.more});
  if (wait === 0) return andThen(drain(), reply); // the hot path of a client polling back to back: no promise with SQLite
  return (async () => {
    const deadline = performance.now() + wait * 1000;
    for (;;) {
      // Parked before the check: a wake-up hint (from another process, too) that comes while the store answers
      // is not lost; when something is unread already the waiter is let go at once.
      const waiter = context.inboxWaiters.park(username, Math.max(0, deadline - performance.now()), context.signal);
      let unread: boolean;
      try {
        unread = await context.store.hasUnread(username);
      } catch (err) {
        waiter.cancel(); // no waiter outlives its request
        throw err;
      }
      if (unread) {
        waiter.cancel();
      } else {
        await waiter.woken;
        // A logout while waiting kills the token at once: the waiting request must not read the inbox afterwards.
        if (!await context.sessions.lookup(token)) return error('NO_SESSION');
      }
      const page = await drain();
      // A hint is only a hint: when what woke the poll is gone (another connection of the user read it, its batch
      // failed), it waits on for the rest of its time. Only after a wait: a check that saw something unread never
      // loops, so no inbox the check and the read disagree on could spin.
      if (page.messages.length > 0 || unread || context.signal.aborted || performance.now() >= deadline - 1) return reply(page);
    }
  })();
};
