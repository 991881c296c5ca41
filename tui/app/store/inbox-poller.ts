/**
 * The long poll: `inbox 25` again and again on a ChatClient of its own (the daemon answers one request at a time
 * per connection, so a waiting inbox would hold up everything else). A message is answered at once, so new
 * messages reach the screen within a moment of arriving. When the connection drops, the loop waits for the
 * client's own reconnect (capped backoff) and carries on; messages that arrived meanwhile are still unread on the
 * daemon and come with the next answer, which is how the client catches up.
 */
import type {ChatClient, ClientState} from '../../../common/client/chat-client.js';
import {ConnectionError, RequestTimeoutError} from '../../../common/client/errors.js';
import {messagesOf, type ChatMessage} from '../../../common/protocol/reply-shapes.js';
import {errorCodeOf, type Reply} from '../../../common/protocol/replies.js';

export interface InboxPollerOptions {
  /** How long each inbox waits on the daemon, in seconds. @default 25 */
  readonly waitSeconds?: number;
  /** New messages (already marked read on the daemon). */
  readonly onMessages: (messages: ChatMessage[]) => void;
  /** The daemon no longer knows the session; the poller has stopped. */
  readonly onSessionEnded: () => void;
  /** Anything else that went wrong (an ERROR reply, an unexpected exception); the poller retries after a pause. */
  readonly onProblem?: (text: string) => void;
  /** Pause after an unexpected problem, in ms. @default 1000 */
  readonly retryDelayMs?: number;
}

export class InboxPoller {
  readonly #client: ChatClient;
  readonly #options: InboxPollerOptions;
  #running = false;
  #stopped = false;
  #wake: (() => void) | undefined;
  #done: Promise<void> = Promise.resolve();

  constructor(client: ChatClient, options: InboxPollerOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** Starts the loop (once). */
  start(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    this.#done = this.#run();
  }

  /** Stops the loop; resolves once it has left (an inbox in flight is left to the client's close). */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    return this.#done;
  }

  async #run(): Promise<void> {
    const waitSeconds = this.#options.waitSeconds ?? 25;
    while (!this.#stopped) {
      if (this.#client.state.state !== 'connected') {
        await this.#connected();
        continue;
      }
      let reply: Reply;
      try {
        reply = await this.#client.inbox(waitSeconds);
      } catch (error) {
        if (this.#stopped) break;
        // A dropped connection: the loop waits for the reconnect. A timeout: ask again.
        if (error instanceof ConnectionError || error instanceof RequestTimeoutError) continue;
        this.#options.onProblem?.(`inbox: ${(error as Error).message}`);
        await this.#pause();
        continue;
      }
      // Even after stop(): these messages are marked read on the daemon, so they must reach the store.
      if (reply.status === 'OK') {
        const messages = messagesOf(reply);
        if (messages.length > 0) this.#options.onMessages(messages);
        continue;
      }
      if (errorCodeOf(reply) === 'NO_SESSION') {
        this.#stopped = true;
        this.#options.onSessionEnded();
        break;
      }
      this.#options.onProblem?.(reply.message);
      await this.#pause();
    }
  }

  /** Resolves when the client is connected (asking it to connect if it never tried) or the poller stops. */
  #connected(): Promise<void> {
    return new Promise((resolve) => {
      const client = this.#client;
      const finish = () => {
        client.off('state', onState);
        this.#wake = undefined;
        resolve();
      };
      const onState = (state: ClientState) => {
        if (state.state === 'connected') finish();
      };
      this.#wake = finish;
      client.on('state', onState);
      if (this.#stopped || client.state.state === 'connected') {
        finish();
        return;
      }
      // A client that never connected does not retry by itself until its first attempt; later attempts are its own.
      if (client.state.state === 'idle') client.connect().catch(() => {});
    });
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, this.#options.retryDelayMs ?? 1000);
      function finish() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        finish();
      };
    });
  }
}
