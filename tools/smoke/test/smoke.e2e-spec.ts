// `npm run smoke` as its own process, the way an operator runs it: against the real shop started by the launcher
// (every service a process on the embedded transport and PostgreSQL), and against a port where nothing listens.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchShop, type RunningShop } from '@stitch/launcher';

const root = path.resolve(__dirname, '../../..');

interface Run {
  readonly code: number;
  readonly lines: string[];
  readonly stderr: string;
}

async function smoke(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '-s', 'smoke', '--', ...args], { cwd: root, timeout: 180_000 });
    return { code: 0, lines: stdout.trim().split('\n'), stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      lines: (failed.stdout ?? '').trim().split('\n'),
      stderr: failed.stderr ?? '',
    };
  }
}

/** A port nothing listens on: taken from the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('npm run smoke', () => {
  let tmp: string;
  let shop: RunningShop | undefined;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-smoke-'));
    // The embedded PostgreSQL runs as the OS user `postgres` when the tests run as root.
    await chmod(tmp, 0o755);
  });

  afterAll(async () => {
    await shop?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('signs up and checks out on the running shop, every step ok', async () => {
    shop = await launchShop({ dataDir: path.join(tmp, 'data'), ports: 'free', readyTimeoutMs: 180_000 });
    expect(shop.storefrontUrl).toBeDefined();
    const run = await smoke('--url', shop.storefrontUrl!, '--timeout', '90');
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.lines.map((line) => line.replace(/\(\d+ ms\)/, '(…)'))).toEqual([
      'ok  storefront answers (…)',
      'ok  products (…)',
      'ok  sign-up (…)',
      'ok  checkout (…)',
      expect.stringMatching(/^ok {2}order confirmed \(…\): order [0-9a-f-]{36}, correlation id [0-9a-f-]{36}$/),
    ]);
  });

  it('fails with one line where nothing listens', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await smoke('--url', url, '--timeout', '10');
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([`FAIL storefront answers: GET ${url}/health/live: connection refused (is the storefront running there?)`]);
  });
});
