/** Conversations, read markers and search across two realms: remote conversations are named `user@realm`, `group:NAME@realm`. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {conversationsOf, searchResultsOf, seenOf} from '../../common/protocol/reply-shapes.js';
import type {TestDaemon} from '../helpers/daemon.js';
import {link, startRealm, user, waitFor, type TestUser} from './helpers.js';

let alpha: TestDaemon;
let beta: TestDaemon;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  alpha = await startRealm('alpha');
  beta = await startRealm('beta');
  alice = await user(alpha.port, 'alice');
  bob = await user(beta.port, 'bob');
  await link({port: alpha.port, client: alice.client}, 'beta', {port: beta.port, client: bob.client}, 'alpha');
  await bob.client.request('addgroup crew');
});

afterAll(async () => {
  for (const u of [alice, bob]) u?.client.close();
  await Promise.all([alpha, beta].map((daemon) => daemon?.cleanup()));
});

describe('remote conversations', () => {
  it('lists a remote user and a remote group with their last messages and unread counts', async () => {
    expect(await alice.client.request('sendprivaterealm beta bob hello bob')).toMatchObject({status: 'OK'});
    expect(await alice.client.request('sendgrouprealm beta crew hello crew')).toMatchObject({status: 'OK'});
    expect(await bob.client.request('sendprivaterealm alpha alice hello alice')).toMatchObject({status: 'OK'});
    const list = await waitFor(async () => {
      const entries = conversationsOf(await alice.client.request('conversations'));
      return entries.length === 2 && entries[0]!.conversation === 'bob@beta' ? entries : undefined;
    }, 10_000, 'bob@beta on top of alice\'s conversations');
    expect(list).toEqual([
      {conversation: 'bob@beta', kind: 'direct', unread: 1, mentions: 0, seen: 0,
        last: expect.objectContaining({from: 'bob@beta', text: 'hello alice', realmFrom: 'beta'})},
      {conversation: 'group:crew@beta', kind: 'group', unread: 0, mentions: 0, seen: 0,
        last: expect.objectContaining({from: 'alice', text: 'hello crew'})},
    ]);
    // On beta, bob sees alice@alpha: the message that crossed the link, and his own answer.
    expect(conversationsOf(await bob.client.request('conversations'))).toEqual(expect.arrayContaining([
      expect.objectContaining({conversation: 'alice@alpha', kind: 'direct', unread: 1}),
    ]));
  });

  it('moves a remote conversation\'s marker, any case of the realm, and searches remote conversations', async () => {
    const last = conversationsOf(await alice.client.request('conversations'))[0]!.last!.id;
    expect(seenOf(await alice.client.request(`seen bob@BETA ${last}`))).toEqual({conversation: 'bob@beta', seen: last, unread: 0, mentions: 0});
    const hits = searchResultsOf(await alice.client.request('search hello'));
    expect(hits.map((hit) => [hit.text, hit.conversation]).sort()).toEqual([
      ['hello alice', 'bob@beta'], ['hello bob', 'bob@beta'], ['hello crew', 'group:crew@beta'],
    ]);
    expect(searchResultsOf(await alice.client.request('search hello group:crew@beta')).map((hit) => hit.text)).toEqual(['hello crew']);
    expect(await alice.client.request('seen bob@gamma 1')).toMatchObject({code: 'REALM_NOT_FOUND'});
  });
});
