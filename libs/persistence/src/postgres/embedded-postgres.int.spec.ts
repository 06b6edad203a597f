import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import {
  embeddedPostgresPasswordFile,
  embeddedPostgresSocketUrl,
  embeddedPostgresUrl,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from './embedded-postgres';

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
    query<{ name: string; setting: string }>(
      url,
      "select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes') order by name",
    );

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

  it('gets a random superuser password at initdb, kept beside the cluster for its owner only and read back on restart', async () => {
    const dataDir = path.join(directory, 'pg');
    const first = await startEmbeddedPostgres({ dataDir, throwAway: true });
    servers.push(first);
    const passwordFile = embeddedPostgresPasswordFile(dataDir);
    const password = (await readFile(passwordFile, 'utf8')).trim();
    expect(password).toMatch(/^[\w-]{32}$/);
    expect(first.url).toBe(embeddedPostgresUrl(first.port, password));
    if (process.platform !== 'win32') expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
    await expect(query(embeddedPostgresUrl(first.port, 'postgres'), 'select 1')).rejects.toMatchObject({ code: '28P01' });
    await first.stop();

    const again = await startEmbeddedPostgres({ dataDir, throwAway: true });
    servers.push(again);
    expect(again.url).toBe(embeddedPostgresUrl(again.port, password));
    expect(await query(again.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await again.stop();

    const other = await startEmbeddedPostgres({ dataDir: path.join(directory, 'other'), throwAway: true });
    servers.push(other);
    expect(new URL(other.url).password).not.toBe(password);
  });

  it('answers the shop on a Unix socket in its data folder, with the same password as over TCP', async () => {
    const dataDir = path.join(directory, 'pg');
    const server = await startEmbeddedPostgres({ dataDir, throwAway: true });
    servers.push(server);
    const password = (await readFile(embeddedPostgresPasswordFile(dataDir), 'utf8')).trim();
    expect(server.localUrl).toBe(embeddedPostgresSocketUrl(server.port, password, dataDir));
    // The client's address: null on a Unix socket, 127.0.0.1 over TCP.
    const peer = 'select host(inet_client_addr()) as address';
    expect(await query(server.localUrl, peer)).toEqual([{ address: null }]);
    expect(await query(server.url, peer)).toEqual([{ address: '127.0.0.1' }]);
    await expect(query(embeddedPostgresSocketUrl(server.port, 'postgres', dataDir), 'select 1')).rejects.toMatchObject({ code: '28P01' });
  });

  it('moves a cluster made with the old fixed password to a random one', async () => {
    const dataDir = path.join(directory, 'pg');
    const made = await startEmbeddedPostgres({ dataDir, throwAway: true });
    servers.push(made);
    // As every cluster was before: the password `postgres`, and no file beside it.
    await query(made.url, "alter role postgres password 'postgres'");
    await made.stop();
    await rm(embeddedPostgresPasswordFile(dataDir));
    const lines: string[] = [];

    const moved = await startEmbeddedPostgres({ dataDir, throwAway: true, log: (line) => lines.push(line) });
    servers.push(moved);

    const password = (await readFile(embeddedPostgresPasswordFile(dataDir), 'utf8')).trim();
    expect(password).not.toBe('postgres');
    expect(await query(moved.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await expect(query(embeddedPostgresUrl(moved.port, 'postgres'), 'select 1')).rejects.toMatchObject({ code: '28P01' });
    expect(lines).toContain(
      `[stitch] the cluster still had the old fixed password: it now has the random one kept in ${embeddedPostgresPasswordFile(dataDir)}`,
    );
    expect(lines.join('\n')).not.toContain(password);
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

    // The killed server's socket and its lock file are still in the folder: the new one takes their place.
    const restarted = await startEmbeddedPostgres({ dataDir });
    servers.push(restarted);
    expect(await query<{ count: string }>(restarted.localUrl, 'select count(*) from acknowledged')).toEqual([{ count: String(commits) }]);
  });
});
