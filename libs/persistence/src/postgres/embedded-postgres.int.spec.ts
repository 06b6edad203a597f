import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres', () => {
  let directory: string;
  const servers: EmbeddedPostgres[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'stitch-embedded-pg-'));
    // As root, PostgreSQL runs as the OS user `postgres` and must enter the folder.
    await chmod(directory, 0o755);
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop().catch(() => undefined)));
    await rm(directory, { recursive: true, force: true });
  });

  const settings = (url: string) =>
    query<{ name: string; setting: string }>(url, "select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes') order by name");

  it('is durable unless told the cluster is thrown away', async () => {
    const durable = await startEmbeddedPostgres({ dataDir: path.join(directory, 'durable') });
    servers.push(durable);
    expect(await settings(durable.url)).toEqual([
      { name: 'fsync', setting: 'on' },
      { name: 'full_page_writes', setting: 'on' },
      { name: 'synchronous_commit', setting: 'on' },
    ]);
    const throwAway = await startEmbeddedPostgres({ dataDir: path.join(directory, 'throw-away'), throwAway: true });
    servers.push(throwAway);
    expect((await settings(throwAway.url)).map((row) => row.setting)).toEqual(['off', 'off', 'off']);
  });

  it('keeps every acknowledged commit when the server is killed with SIGKILL', async () => {
    const dataDir = path.join(directory, 'pg');
    const server = await startEmbeddedPostgres({ dataDir });
    const client = new Client({ connectionString: server.url });
    await client.connect();
    client.on('error', () => undefined);
    await client.query('create table acknowledged (n int primary key)');
    // Single-row commits in a row, each acknowledged before the next: with asynchronous commit the last few
    // hundred milliseconds of them sit in memory and die with the server.
    const commits = 2_000;
    for (let n = 1; n <= commits; n++) await client.query('insert into acknowledged values ($1)', [n]);

    const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    expect(server.pid).toBe(postmaster);
    process.kill(postmaster, 'SIGKILL');
    expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await server.stop();
    await client.end().catch(() => undefined);

    const restarted = await startEmbeddedPostgres({ dataDir });
    servers.push(restarted);
    expect(await query<{ count: string }>(restarted.url, 'select count(*) from acknowledged')).toEqual([{ count: String(commits) }]);
  });
});
