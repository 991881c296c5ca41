/** Passwords of the PostgreSQL store: taken from the URL, an option, a file or PGPASSWORD, and never shown. */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {StoreUnavailableError} from '../../daemon/store/errors.js';
import {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import {connectionTarget, redactSecret, redactUrl} from '../../daemon/store/postgres/pg-url.js';
import {PASSWORD_ROLE, PgCluster, describeIfPostgres} from '../helpers/pg-cluster.js';

describe('connection URLs', () => {
  it('masks the password of a URL, in the authority and in the query', () => {
    expect(redactUrl('postgres://app:s3cr%40t@db.example:5432/chat')).toBe('postgres://app:***@db.example:5432/chat');
    expect(redactUrl('postgres://app@db.example/chat?password=s3cret&sslmode=require'))
      .toBe('postgres://app@db.example/chat?password=***&sslmode=require');
    expect(redactUrl('postgres://app@db.example/chat')).toBe('postgres://app@db.example/chat');
    expect(redactUrl('postgres://app:pw@[not-a-host/chat')).toBe('postgres://app:***@[not-a-host/chat');
    expect(redactSecret('failed for s3cret at s3cret', 's3cret')).toBe('failed for *** at ***');
  });

  it("reads libpq's ?host=/socket/folder as a unix socket folder", () => {
    expect(connectionTarget('postgres://u@localhost:5433/db?host=%2Frun%2Fpostgresql'))
      .toEqual({url: 'postgres://u@localhost:5433/db', host: '/run/postgresql'});
    expect(connectionTarget('postgres://u@db.example:5433/db')).toEqual({url: 'postgres://u@db.example:5433/db'});
  });
});

describeIfPostgres('PostgresStore passwords', () => {
  let cluster: PgCluster;
  let dir: string;
  let url: string;
  const password = "pa'ss w@rd:/?";

  beforeAll(async () => {
    cluster = await PgCluster.create();
    dir = mkdtempSync(join(tmpdir(), 'realmchat-pw-'));
    const database = new URL(cluster.createDatabase()).pathname.slice(1);
    cluster.psql(cluster.url(database), `CREATE ROLE ${PASSWORD_ROLE} LOGIN PASSWORD '${password.replace(/'/g, "''")}';
      ALTER DATABASE ${database} OWNER TO ${PASSWORD_ROLE}`);
    url = `postgres://${PASSWORD_ROLE}@127.0.0.1:${cluster.port}/${database}`;
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
    rmSync(dir, {recursive: true, force: true});
  });

  it('logs in with the password from a file, or from the URL', async () => {
    const file = join(dir, 'password');
    writeFileSync(file, `${password}\n`, {mode: 0o600});
    const fromFile = await PostgresStore.open({url, realm: 'test', passwordFile: file});
    await fromFile.close();
    const withPassword = url.replace(`${PASSWORD_ROLE}@`, `${PASSWORD_ROLE}:${encodeURIComponent(password)}@`);
    const fromUrl = await PostgresStore.open({url: withPassword, realm: 'test'});
    const created = fromUrl.createUser({username: 'ann', fullName: 'a', country: 'x', createdAt: 0}, 'v');
    fromUrl.commit();
    expect(await created).toBe(true);
    await fromUrl.close();
  });

  it('refuses a wrong password without showing it', async () => {
    const logs: string[] = [];
    const opening = PostgresStore.open({url, realm: 'test', password: 'wrong-secret', log: (line) => logs.push(line)});
    const error = await opening.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(String((error as Error).message)).not.toContain('wrong-secret');
    expect(logs.join('\n')).not.toContain('wrong-secret');
  });
});
