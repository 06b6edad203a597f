// The payment service as it is deployed (main.ts, in its own process) stops with one line on stderr and exit code 1
// when something it needs is not there: its database server, its HTTP port, its broker.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';

const PASSWORD = 'hunter2-do-not-print';

interface Outcome {
  readonly status: number | null;
  readonly stderr: string;
  /** stderr, line by line. */
  readonly lines: string[];
}

let dataDir: string;

/** `node --require @swc-node/register apps/payment-service/src/main.ts`, as a user would start it. */
function startPaymentService(env: Record<string, string>): Promise<Outcome> {
  const inherited = { ...process.env };
  for (const name of ['NODE_OPTIONS', 'DATABASE_URL', 'PORT', 'MESSAGING_TRANSPORT', 'AWS_ENDPOINT_URL', 'STITCH_PREFIX'])
    delete inherited[name];
  const child = spawn(process.execPath, ['--require', '@swc-node/register', path.join(__dirname, 'main.ts')], {
    env: { ...inherited, LOG_LEVEL: 'info', STITCH_DATA_DIR: dataDir, STITCH_SHOP_ID: 'shop-payment-test', ...env },
  });
  let stderr = '';
  child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, lines: stderr.trim().split('\n').filter(Boolean) });
    }),
  );
}

async function listening(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function closedPort(): Promise<number> {
  const server = await listening();
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-payment-startup-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('payment-service that cannot start', () => {
  it('names the database server it cannot reach, and what to do, without the password', async () => {
    const port = await closedPort();
    const { status, lines, stderr } = await startPaymentService({
      DATABASE_URL: `postgresql://stitch:${PASSWORD}@127.0.0.1:${port}/postgres`,
    });
    expect(lines).toEqual([
      `cannot reach the PostgreSQL server at 127.0.0.1:${port} named by DATABASE_URL (connection refused): is it running? ` +
        'Start it or correct DATABASE_URL, or unset DATABASE_URL to let npm start run the embedded PostgreSQL',
    ]);
    expect(status).toBe(1);
    expect(stderr).not.toContain(PASSWORD);
  });

  describe('with its database there', () => {
    let server: TestPostgres;
    beforeAll(async () => (server = await startTestPostgres()));
    afterAll(() => server?.stop());

    it('names its HTTP port that another program holds', async () => {
      const other = await listening();
      const { port } = other.address() as net.AddressInfo;
      try {
        const { status, lines } = await startPaymentService({ DATABASE_URL: server.url, PORT: String(port) });
        expect(lines).toEqual([`port ${port} (PORT) is in use by another program: stop it or set PORT to a free port (PORT=0 picks one)`]);
        expect(status).toBe(1);
      } finally {
        await new Promise((resolve) => other.close(resolve));
      }
    });

    it('names the AWS endpoint it cannot reach', async () => {
      const port = await closedPort();
      const { status, lines } = await startPaymentService({
        DATABASE_URL: server.url,
        PORT: '0',
        MESSAGING_TRANSPORT: 'aws',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
      });
      expect(lines).toEqual([
        `cannot reach the AWS API at http://127.0.0.1:${port} (connection refused): is the emulator running? Start it (e.g. moto_server -H 127.0.0.1 -p 5000) or correct AWS_ENDPOINT_URL`,
      ]);
      expect(status).toBe(1);
    });
  });
});
