// A service whose database cannot be reached or refuses it says why in one line on stderr and exits 1, in a real
// process, naming the server and never the password: a closed port, a server that never answers, and on a real
// PostgreSQL (embedded) a wrong password, an unknown database and a user who may not create its database. A service
// whose password is kept beside DATABASE_URL (DATABASE_PASSWORD) creates and migrates its database with it.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { startTestPostgres, type TestPostgres } from '../../test/support/test-postgres';

const PASSWORD = 'hunter2-do-not-print';

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stderr, line by line. */
  readonly lines: string[];
}

function start(env: Record<string, string>): Promise<Outcome> {
  const app = path.join(__dirname, '../../test/startup-app.ts');
  const inherited = { ...process.env };
  delete inherited['NODE_OPTIONS'];
  const child = spawn(process.execPath, ['--require', '@swc-node/register', app], { env: { ...inherited, LOG_LEVEL: 'info', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, lines: stderr.trim().split('\n').filter(Boolean) });
    }),
  );
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const EMBEDDED = 'is it running? Start it or correct DATABASE_URL, or unset DATABASE_URL to let npm start run the embedded PostgreSQL';

describe('a service whose database server cannot be reached', () => {
  it('names the server (not the password) and what to do when the port is closed', async () => {
    const port = await closedPort();
    const { status, lines, stderr } = await start({ DATABASE_URL: `postgresql://shop:${PASSWORD}@127.0.0.1:${port}/postgres` });
    expect(lines).toEqual([
      `cannot reach the PostgreSQL server at 127.0.0.1:${port} named by DATABASE_URL (connection refused): ${EMBEDDED}`,
    ]);
    expect(status).toBe(1);
    expect(stderr).not.toContain(PASSWORD);
  });

  it('gives up on a server that never answers after DATABASE_CONNECT_TIMEOUT_MS', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const { status, lines } = await start({
        DATABASE_URL: `postgresql://shop:${PASSWORD}@127.0.0.1:${port}/postgres`,
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
      });
      expect(lines).toEqual([
        `cannot reach the PostgreSQL server at 127.0.0.1:${port} named by DATABASE_URL (no answer within 1 s, DATABASE_CONNECT_TIMEOUT_MS): ${EMBEDDED}`,
      ]);
      expect(status).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('a service that a PostgreSQL server refuses', () => {
  let server: TestPostgres;
  let url: URL;

  beforeAll(async () => {
    server = await startTestPostgres();
    url = new URL(server.url);
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE ROLE shop LOGIN PASSWORD '${PASSWORD}'`);
    await admin.end();
  });
  afterAll(() => server?.stop());

  const as = (user: string, password: string, database = 'postgres') =>
    `postgresql://${user}:${password}@127.0.0.1:${url.port}/${database}`;

  it('says the password is wrong, in one line without it', async () => {
    const { status, lines, stderr } = await start({ DATABASE_URL: as('shop', 'not-the-password') });
    expect(lines).toEqual([`the PostgreSQL server at 127.0.0.1:${url.port} refused user "shop": wrong password in DATABASE_URL`]);
    expect(status).toBe(1);
    expect(stderr).not.toContain('not-the-password');
  });

  it('names a database DATABASE_URL names that does not exist', async () => {
    const { status, lines } = await start({ DATABASE_URL: as('shop', PASSWORD, 'shopdb') });
    expect(lines).toEqual([
      `database "shopdb" does not exist on the PostgreSQL server at 127.0.0.1:${url.port}: DATABASE_URL names the server and a database the user may connect to, e.g. /postgres`,
    ]);
    expect(status).toBe(1);
  });

  it('says the user may not create its database', async () => {
    const { status, lines, stderr } = await start({ DATABASE_URL: as('shop', PASSWORD) });
    expect(lines).toEqual([
      `user "shop" may not create database stitch_a on the PostgreSQL server at 127.0.0.1:${url.port}: grant it CREATEDB, or create the database for it`,
    ]);
    expect(status).toBe(1);
    expect(stderr).not.toContain(PASSWORD);
  });

  it('starts once the server lets it in', async () => {
    const { status, lines, stdout } = await start({ DATABASE_URL: server.url });
    expect(lines).toEqual([]);
    expect(stdout).toContain('started');
    expect(status).toBe(0);
  });
});

describe('a service whose password is kept beside DATABASE_URL', () => {
  const OWNER_PASSWORD = 'kept-in-the-secret-store';
  let server: TestPostgres;
  let port: string;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> => {
    const url = new URL(server.url);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    server = await startTestPostgres();
    port = new URL(server.url).port;
    await admin((client) => client.query(`CREATE ROLE shop_owner LOGIN CREATEDB PASSWORD '${OWNER_PASSWORD}'`));
  });
  afterAll(() => server?.stop());

  it('creates and migrates its database as the user DATABASE_URL names, with DATABASE_PASSWORD', async () => {
    const { status, lines, stdout, stderr } = await start({
      DATABASE_URL: `postgresql://shop_owner@127.0.0.1:${port}/postgres`,
      DATABASE_PASSWORD: OWNER_PASSWORD,
    });
    expect(lines).toEqual([]);
    expect(stdout).toContain('started');
    expect(status).toBe(0);
    expect(stdout + stderr).not.toContain(OWNER_PASSWORD);
    const owner = await admin((client) =>
      client.query<{ owner: string }>(`SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'stitch_a'`),
    );
    expect(owner.rows).toEqual([{ owner: 'shop_owner' }]);
    const migrations = await admin(
      (client) => client.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL'),
      'stitch_a',
    );
    expect(migrations.rows.map((row) => row.migration_name)).toEqual(['20261122011353_init']);
  });

  it('says a wrong DATABASE_PASSWORD is wrong, naming that variable and not the password', async () => {
    const { status, lines, stderr } = await start({
      DATABASE_URL: `postgresql://shop_owner@127.0.0.1:${port}/postgres`,
      DATABASE_PASSWORD: 'not-the-kept-one',
    });
    expect(lines).toEqual([`the PostgreSQL server at 127.0.0.1:${port} refused user "shop_owner": wrong password in DATABASE_PASSWORD`]);
    expect(status).toBe(1);
    expect(stderr).not.toContain('not-the-kept-one');
  });

  it('refuses to start with a password in DATABASE_URL and DATABASE_PASSWORD both, naming both and neither password', async () => {
    const { status, lines, stderr } = await start({
      DATABASE_URL: `postgresql://shop_owner:${OWNER_PASSWORD}@127.0.0.1:${port}/postgres`,
      DATABASE_PASSWORD: OWNER_PASSWORD,
    });
    expect(lines).toEqual([
      'Invalid database configuration: DATABASE_PASSWORD: DATABASE_URL holds a password too: give the password in DATABASE_URL or in DATABASE_PASSWORD, not both',
    ]);
    expect(status).toBe(1);
    expect(stderr).not.toContain(OWNER_PASSWORD);
  });

  it('with DATABASE_TLS_CA, asks the server for TLS on its first connection and stops when the server has none', async () => {
    const { status, lines } = await start({
      DATABASE_URL: `postgresql://shop_owner@127.0.0.1:${port}/postgres`,
      DATABASE_PASSWORD: OWNER_PASSWORD,
      DATABASE_TLS_CA: 'aws-rds',
    });
    expect(lines).toEqual([
      `the PostgreSQL server at 127.0.0.1:${port} does not support SSL, which DATABASE_TLS_CA requires: enable SSL on the server, or unset DATABASE_TLS_CA`,
    ]);
    expect(status).toBe(1);
  });
});
