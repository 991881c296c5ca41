/**
 * A fair queue in front of password hashing. scrypt runs on libuv's thread pool (4 threads by default); without a
 * queue, 128 connections guessing passwords fill it and a real user's `auth` waits behind all of them. Here at most
 * `concurrency` hashes run at once, and the next one is picked round-robin over source addresses, then over
 * usernames within an address: a flood of guesses from one address, or against one user, delays another user's
 * login by about one hash per active address and username, not by the length of the flood.
 */

type Job = () => void;

/** A round-robin ring of keys, each with a FIFO of values. */
class Ring<T> {
  readonly #queues = new Map<string, T[]>();
  /** Keys in turn order; a key is in it while its queue is not empty. */
  #order: string[] = [];
  #next = 0;

  get size(): number {
    return this.#order.length;
  }

  push(key: string, value: T): void {
    const queue = this.#queues.get(key);
    if (queue) {
      queue.push(value);
      return;
    }
    this.#queues.set(key, [value]);
    this.#order.push(key);
  }

  /** Removes the front value of the key whose turn it is and passes the turn on. */
  shift(): T {
    this.#next %= this.#order.length;
    const key = this.#order[this.#next]!;
    const queue = this.#queues.get(key)!;
    const value = queue.shift()!;
    if (queue.length === 0) {
      this.#queues.delete(key);
      this.#order.splice(this.#next, 1);
    } else {
      this.#next++;
    }
    return value;
  }
}

interface PeerQueue {
  readonly peer: string;
  readonly users: Ring<Job>;
}

export class HashQueue {
  /** Addresses with waiting jobs, in turn order. */
  readonly #peers: PeerQueue[] = [];
  readonly #byPeer = new Map<string, PeerQueue>();
  #nextPeer = 0;
  #running = 0;

  constructor(private readonly concurrency: number) {}

  /** Runs `task` when it is the turn of (`peer`, `username`); settles as the task does. */
  run<T>(peer: string, username: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job = () => {
        this.#running++;
        task().then(resolve, reject).finally(() => {
          this.#running--;
          this.#dispatch();
        });
      };
      let queue = this.#byPeer.get(peer);
      if (!queue) {
        queue = {peer, users: new Ring<Job>()};
        this.#byPeer.set(peer, queue);
        this.#peers.push(queue);
      }
      queue.users.push(username.toLowerCase(), job);
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#running < this.concurrency && this.#peers.length > 0) {
      const index = this.#nextPeer % this.#peers.length;
      const queue = this.#peers[index]!;
      const job = queue.users.shift();
      if (queue.users.size === 0) {
        this.#peers.splice(index, 1);
        this.#byPeer.delete(queue.peer);
        this.#nextPeer = index;
      } else {
        this.#nextPeer = index + 1;
      }
      job();
    }
  }
}
