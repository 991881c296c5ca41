/**
 * Verbs other course groups' clients send (their Flet app builds its contact and group lists with them), with the
 * token inline as those clients put it: getusers, getgroups, privateinbox.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

let server: TestDaemon;
beforeAll(async () => {
  server = await startDaemon({groupsDefaultLimit: 3});
});
afterAll(async () => {
  await server.cleanup();
});

describe('getusers, getgroups, privateinbox', () => {
  it('lists users as [{username}] and groups as [{group, members}], paged by name with more', async () => {
    const {client: ann, token} = await registerUser(server.port, 'ann');
    for (const name of ['Bob', 'cid', 'dee']) (await registerUser(server.port, name)).client.close();
    const first = await ann.request(`getusers ${token}`);
    expect(first).toMatchObject({status: 'OK', users: [{username: 'ann'}, {username: 'Bob'}, {username: 'cid'}], more: true});
    expect(await ann.request(`getusers ${token} 3 cid`)).toMatchObject({users: [{username: 'dee'}], more: false});

    await ann.request('addgroup devs');
    const bob = await LineClient.connect(server.port);
    await bob.request('auth Bob pw');
    await bob.request('joingroup devs');
    await ann.request('addgroup art');
    expect(await ann.request(`getgroups ${token}`)).toEqual({
      status: 'OK', message: 'Groups', more: false,
      groups: [{group: 'art', members: ['ann']}, {group: 'devs', members: ['ann', 'Bob']}],
    });
    ann.close();
    bob.close();
  });

  it('privateinbox drains only the messages from one user and leaves the rest unread', async () => {
    const {client: eve, token} = await registerUser(server.port, 'eve');
    const {client: fay} = await registerUser(server.port, 'fay');
    const {client: gus} = await registerUser(server.port, 'gus');
    await fay.request('send eve from fay 1');
    await gus.request('send eve from gus');
    await fay.request('send eve from fay 2');
    const fromFay = await eve.request(`privateinbox ${token} FAY`);
    expect(fromFay).toMatchObject({status: 'OK', more: false});
    expect((fromFay.messages as Record<string, Array<{msg: string}>>).fay!.map((m) => m.msg)).toEqual(['from fay 1', 'from fay 2']);
    expect(Object.keys(fromFay.messages as object)).toEqual(['fay']);
    expect(await eve.request(`privateinbox ${token} fay`)).toMatchObject({messages: {}});
    const rest = await eve.request(`inbox ${token}`);
    expect((rest.messages as Record<string, Array<{msg: string}>>).gus!.map((m) => m.msg)).toEqual(['from gus']);
    expect(await eve.request(`privateinbox ${token} nobody`)).toMatchObject({status: 'ERROR', message: 'User tidak ditemukan'});
    for (const client of [eve, fay, gus]) client.close();
  });
});
