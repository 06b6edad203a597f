// A service whose database cannot be reached or refuses it says why in one line on stderr and exits 1, in a real
// process, naming the server and never the password: a closed port, a server that never answers, and on a real
// PostgreSQL (embedded) a wrong password, an unknown database and a user who may not create its database.
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
