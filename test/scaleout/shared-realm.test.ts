/**
 * One realm served by two and three realmchatd processes on one PostgreSQL database (issue 13): a token works on
 * every process and a logout anywhere ends it everywhere; an inbox reads the same unread messages whichever process
 * serves it; a long poll on one process is woken by a send on another; two processes draining one inbox at once
 * hand out every message exactly once.
 */
import {expect, it} from 'vitest';
import {LineClient, registerUser} from '../helpers/daemon.js';
import {describeIfPostgres} from '../helpers/pg-cluster.js';
import {Realm, realmSuite} from './processes.js';

type InboxMessages = Record<string, Array<{msg: string}>>;

describeIfPostgres('one realm, several realmchatd processes on PostgreSQL', () => {
  const suite = realmSuite();
  const {realms, closers: clients} = suite;


  async function startRealm(count: number): Promise<Realm> {
    const realm = await Realm.start(suite.cluster, count);
    realms.push(realm);
    return realm;
  }

  async function connect(port: number): Promise<LineClient> {
    const client = await LineClient.connect(port);
    clients.push(client);
    return client;
  }

  it('takes a token made on A on B and C, and a logout on B ends it on A at once', async () => {
    const [a, b, c] = (await startRealm(3)).processes;
    const {client: alice, token} = await registerUser(a!.port, 'alice');
    clients.push(alice);
    expect(await alice.request('inbox')).toMatchObject({status: 'OK'});
    for (const other of [b!, c!]) {
      const client = await connect(other.port);
      expect(await client.request(`inbox ${token}`)).toMatchObject({status: 'OK'});
    }
    const onB = await connect(b!.port);
    expect(await onB.request(`logout ${token}`)).toMatchObject({status: 'OK'});
    // A used the token a moment ago (a cache would still hold it): the session is gone there too.
    expect(await alice.request('inbox')).toMatchObject({status: 'ERROR', code: 'NO_SESSION'});
    expect(await (await connect(c!.port)).request(`inbox ${token}`)).toMatchObject({status: 'ERROR', code: 'NO_SESSION'});
  });

  it('answers requests pipelined behind an auth (its session not yet committed) and refuses those behind a logout', async () => {
    const [a, b] = (await startRealm(2)).processes;
    const {client: reg} = await registerUser(a!.port, 'paula');
    clients.push(reg);
    clients.push((await registerUser(a!.port, 'quinn')).client);
    const onA = await connect(a!.port);
    // One write: the send and the inbox use the session the auth makes, before its batch has committed.
    onA.write('auth paula pw\r\nsend quinn first\r\ninbox\r\nlogout\r\nsend quinn after-logout\r\n');
    const [auth, sent, inbox, logout, refused] = [await onA.next(), await onA.next(), await onA.next(), await onA.next(), await onA.next()];
    expect(auth).toMatchObject({status: 'OK'});
    expect(sent).toMatchObject({status: 'OK'});
    expect(inbox).toMatchObject({status: 'OK'});
    expect(logout).toMatchObject({status: 'OK'});
    expect(refused).toMatchObject({status: 'ERROR', code: 'NO_SESSION'});
    // The token the auth gave is dead on the other process too, and the first send is there.
    const onB = await connect(b!.port);
    expect(await onB.request(`inbox ${auth.tokenid as string}`)).toMatchObject({status: 'ERROR', code: 'NO_SESSION'});
    const quinn = await connect(b!.port);
    expect(await quinn.request('auth quinn pw')).toMatchObject({status: 'OK'});
    const messages = (await quinn.request('inbox')).messages as InboxMessages;
    expect(messages.paula?.map((message) => message.msg)).toEqual(['first']);
  });

  it('shows the unread messages sent on A to a user logged in on B, once', async () => {
    const [a, b] = (await startRealm(2)).processes;
    const {client: bob} = await registerUser(a!.port, 'bob');
    clients.push(bob);
    const {client: carol} = await registerUser(a!.port, 'carol');
    clients.push(carol);
    for (let i = 0; i < 5; i++) expect(await carol.request(`send bob hello ${i}`)).toMatchObject({status: 'OK'});
    const bobOnB = await connect(b!.port);
    expect(await bobOnB.request('auth bob pw')).toMatchObject({status: 'OK'});
    const first = await bobOnB.request('inbox');
    expect((first.messages as InboxMessages).carol!.map((m) => m.msg)).toEqual([0, 1, 2, 3, 4].map((i) => `hello ${i}`));
    expect(await bob.request('inbox')).toMatchObject({status: 'OK', messages: {}});
  });

  it('wakes a long poll on B with a send on A, long before its wait is over', async () => {
    const [a, b] = (await startRealm(2)).processes;
    const {client: sender} = await registerUser(a!.port, 'sender');
    clients.push(sender);
    const {client: waiter} = await registerUser(b!.port, 'waiter');
    clients.push(waiter);
    waiter.write('inbox 25\r\n');
    // Give the long poll time to park (its reply must not have come yet: nothing is unread).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waiter.pending).toBe(0);
    expect(await sender.request('send waiter wake up')).toMatchObject({status: 'OK'});
    // 10 s bound: the reply must come from the wake-up, not from the 25 s wait running out.
    const reply = await waiter.next(10_000);
    expect(reply).toMatchObject({status: 'OK', messages: {sender: [{msg: 'wake up'}]}});
  });

  it('never hands out a message twice when two processes drain one inbox at once, and hands out all', async () => {
    const [a, b] = (await startRealm(2)).processes;
    const {client: sender} = await registerUser(a!.port, 'sender');
    clients.push(sender);
    const {client: onA} = await registerUser(a!.port, 'reader');
    clients.push(onA);
    const total = 600;
    // Pipelined sends: one write, `total` replies.
    sender.write(Array.from({length: total}, (_, i) => `send reader m${i}\r\n`).join(''));
    for (let i = 0; i < total; i++) expect(await sender.next(20_000)).toMatchObject({status: 'OK'});
    const onB = await connect(b!.port);
    expect(await onB.request('auth reader pw')).toMatchObject({status: 'OK'});
    // Small pages (the server's limit is large): pipelined inbox requests on both at once, until both see nothing more.
    const drain = async (client: LineClient): Promise<string[]> => {
      const got: string[] = [];
      for (;;) {
        client.write('inbox\r\ninbox\r\ninbox\r\ninbox\r\n');
        let empty = 0;
        for (let i = 0; i < 4; i++) {
          const reply = await client.next(20_000);
          expect(reply).toMatchObject({status: 'OK'});
          const messages = (reply.messages as InboxMessages).sender ?? [];
          if (messages.length === 0) empty++;
          got.push(...messages.map((m) => m.msg));
        }
        if (empty === 4) return got;
      }
    };
    const [fromA, fromB] = await Promise.all([drain(onA), drain(onB)]);
    const all = [...fromA, ...fromB];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(Array.from({length: total}, (_, i) => `m${i}`).sort());
  }, 60_000);
});
