/** Store contract: history pages over conversations that interleave (moved from test/daemon/store-reads.test.ts). */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {NewMessage, Store, StoredMessage} from '../../../daemon/store/types.js';
import {user, type OpenStore, type StoreFactory} from './factory.js';

export function historyContract(open: StoreFactory): void {
  describe('history pages', () => {
    let opened: OpenStore;
    let store: Store;

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      for (const username of ['ann', 'ben', 'cat']) await store.createUser(user(username), 'v');
    });

    afterAll(() => opened.close());

    const texts = (messages: StoredMessage[]) => messages.map((message) => message.body);
    const send = (message: Omit<NewMessage, 'ts'>, to: string[]) => store.storeMessage({...message, ts: 1}, to);

    it('pages a private conversation both ways, skipping other conversations, realms and groups in between', async () => {
      const expected: string[] = [];
      for (let i = 0; i < 40; i++) {
        const fromAnn = i % 3 !== 0;
        const body = `m${i}`;
        await send(fromAnn ? {sender: 'ann', recipient: 'ben', body} : {sender: 'ben', recipient: 'ann', body}, [fromAnn ? 'ben' : 'ann']);
        expected.push(body);
        // Noise the pages must skip: another peer, the same name on another realm, a group, a message to oneself.
        await send({sender: 'ann', recipient: 'cat', body: `cat${i}`}, ['cat']);
        await send({sender: 'ann', recipient: 'ben', recipientRealm: 'beta', body: `remote${i}`}, []);
        await send({sender: 'ben', senderRealm: 'beta', recipient: 'ann', body: `remote-in${i}`}, ['ann']);
        await send({sender: 'ann', group: 'devs', body: `group${i}`}, ['ben']);
      }
      await store.settled();
      const seen: string[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await store.privateHistory('ann', 'BEN', undefined, {limit: 7, beforeId: before});
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(7);
        seen.unshift(...texts(page));
        before = page[0]!.id;
      }
      expect(seen).toEqual(expected);
      // The other side sees the same conversation.
      expect(texts(await store.privateHistory('ben', 'ann', undefined, {limit: 100}))).toEqual(expected);
      // The remote conversation with ben@beta is its own.
      expect(texts(await store.privateHistory('ann', 'ben', 'beta', {limit: 3}))).toEqual(['remote-in38', 'remote39', 'remote-in39']);
    });

    it('lists a conversation with oneself once, not once per direction', async () => {
      for (let i = 0; i < 5; i++) await send({sender: 'cat', recipient: 'cat', body: `note${i}`}, ['cat']);
      await store.settled();
      expect(texts(await store.privateHistory('cat', 'Cat', undefined, {limit: 50}))).toEqual(['note0', 'note1', 'note2', 'note3', 'note4']);
      expect(texts(await store.privateHistory('cat', 'cat', undefined, {limit: 2}))).toEqual(['note3', 'note4']);
    });
  });
}
