/** Issue 9, point 8: `groups [limit] [after]` pages with `more`, clients follow the pages, a user creates few groups. */
import {afterEach, describe, expect, it} from 'vitest';
import {ChatClient} from '../../common/client/index.js';
import type {Reply} from '../../common/protocol/replies.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {cli, tempConfigDir} from '../shell/cli-helpers.js';

const started: TestDaemon[] = [];
const clients: LineClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(started.splice(0).map((daemon) => daemon.cleanup()));
});

const NAMES = ['Delta', 'alpha', 'charlie', 'bravo', 'echo'];

async function withGroups(options = {}) {
  const server = await startDaemon({groupsDefaultLimit: 2, groupsMaxLimit: 3, ...options});
  started.push(server);
  const {client} = await registerUser(server.port, 'alice');
  clients.push(client);
  for (const name of NAMES) expect(await client.request(`addgroup ${name}`)).toMatchObject({status: 'OK'});
  return {server, client};
}

const names = (reply: Reply) => (reply.groups as Array<{name: string}>).map((group) => group.name);

describe('groups paging', () => {
  it('answers pages in name order (any case), `more` while groups follow, `after` to continue', async () => {
    const {client} = await withGroups();
    const first = await client.request('groups');
    expect(names(first)).toEqual(['alpha', 'bravo']);
    expect(first.more).toBe(true);
    const second = await client.request('groups 2 bravo');
    expect(names(second)).toEqual(['charlie', 'Delta']);
    expect(second.more).toBe(true);
    const last = await client.request('groups 5 delta');
    expect(last).toEqual({status: 'OK', message: 'Groups', groups: [{name: 'echo', members: 1, member: true}], more: false});
    expect(names(await client.request('groups 100'))).toHaveLength(3); // capped at groupsMaxLimit
    expect(await client.request('groups 2x')).toMatchObject({code: 'BAD_PARAMETER'});
  });

  it('ChatClient.groups() and the shell follow the pages and show every group', async () => {
    const {server} = await withGroups();
    const chat = new ChatClient({host: '127.0.0.1', port: server.port});
    await chat.connect();
    try {
      await chat.auth('alice', 'pw');
      const all = await chat.groups();
      expect(names(all)).toEqual(['alpha', 'bravo', 'charlie', 'Delta', 'echo']);
    } finally {
      await chat.close();
    }
    const conf = tempConfigDir();
    try {
      await cli(['--server', `127.0.0.1:${server.port}`, 'auth', 'alice', 'pw'], conf.dir);
      const listed = await cli(['groups'], conf.dir);
      expect(listed.stdout.match(/^#\w+/gm)).toEqual(['#alpha', '#bravo', '#charlie', '#Delta', '#echo']);
      const paged = await cli(['groups', '2'], conf.dir);
      expect(paged.stdout).toContain('More groups: realmchat groups 2 bravo');
    } finally {
      conf.remove();
    }
  });

  it('caps how many groups one user creates (TOO_MANY_GROUPS), not how many they join', async () => {
    const server = await startDaemon({maxGroupsPerUser: 2});
    started.push(server);
    const alice = (await registerUser(server.port, 'alice')).client;
    const bob = (await registerUser(server.port, 'bob')).client;
    clients.push(alice, bob);
    expect(await alice.request('addgroup one')).toMatchObject({status: 'OK'});
    expect(await alice.request('addgroup two')).toMatchObject({status: 'OK'});
    expect(await alice.request('addgroup one')).toMatchObject({code: 'GROUP_EXISTS'});
    expect(await alice.request('addgroup three')).toEqual({
      status: 'ERROR', message: 'Batas jumlah group tercapai', code: 'TOO_MANY_GROUPS', max_groups: 2,
    });
    expect(await bob.request('addgroup three')).toMatchObject({status: 'OK'});
    expect(await alice.request('joingroup three')).toMatchObject({status: 'OK'});
  });
});
