/**
 * The fault suite's canary (issue 9): a separate logged-in user whose requests must keep being answered before,
 * during and after a fault. Each round trip is a message to itself, acknowledged with an id; at the end its inbox
 * must hold every acknowledged one exactly once, in order, from itself (nothing lost, duplicated or forged).
 */
import {expect} from 'vitest';
import {LineClient, registerUser} from './daemon.js';

type InboxMessages = Record<string, Array<{msg: string}>>;

export class Canary {
  readonly #sent: string[] = [];
  #client: LineClient;

  private constructor(readonly name: string, client: LineClient) {
    this.#client = client;
  }

  /** Registers the canary user on a daemon's client port and keeps its connection. */
  static async register(port: number, name = 'canary'): Promise<Canary> {
    const {client} = await registerUser(port, name);
    return new Canary(name, client);
  }

  /** Logs in again on a new connection (its daemon restarted); what it sent before still counts. */
  async reconnect(port: number): Promise<void> {
    this.#client.close();
    this.#client = await LineClient.connect(port);
    expect(await this.#client.request(`auth ${this.name} pw`), `${this.name} logs in again`).toMatchObject({status: 'OK'});
  }

  /** One request answered now: a message to itself, acknowledged with its id. `moment` names it in a failure. */
  async isServed(moment: string): Promise<void> {
    const text = `${this.name} ${this.#sent.length} ${moment}`;
    const reply = await this.#client.request(`send ${this.name} ${text}`);
    expect(reply, `${this.name} served ${moment}`).toMatchObject({status: 'OK', id: expect.any(Number)});
    this.#sent.push(text);
  }

  /** Its inbox holds every acknowledged message once, in order, all from itself; and it was served at least once. */
  async assertNothingLost(): Promise<void> {
    expect(this.#sent.length).toBeGreaterThan(0);
    const received: string[] = [];
    for (;;) {
      const reply = await this.#client.request('inbox');
      const messages = reply.messages as InboxMessages;
      expect(Object.keys(messages).filter((from) => from !== this.name), `${this.name}'s inbox`).toEqual([]);
      received.push(...(messages[this.name] ?? []).map((message) => message.msg));
      if (!reply.more) break;
    }
    expect(received).toEqual(this.#sent);
  }

  close(): void {
    this.#client.close();
  }
}
