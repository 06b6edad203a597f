import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { until } from '@stitch/waiting-testing';

let server: TestPostgres;
let dataDir: string;

beforeAll(async () => {
  server = await startTestPostgres();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-data-'));
});

afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Starts the service as the launcher does. */
function start(env: Record<string, string>) {
  const main = path.join(__dirname, 'main.ts');
  const child = spawn(process.execPath, ['--require', '@swc-node/register', main], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      DATABASE_URL: server.url,
      STITCH_DATA_DIR: dataDir,
      STITCH_SHOP_ID: 'shop-email-test',
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve(status);
    }),
  );
  return { child, output, exited };
}

describe('email service start', () => {
  it('stops on a bad SMTP_URL with one line naming it, never showing its password', async () => {
    const { output, exited } = start({ SMTP_URL: 'http://shop:s3cret@mail.example.com' });
    expect(await exited).toBe(1);
    expect(output.stderr.trim().split('\n')).toEqual([
      'Invalid mail configuration: SMTP_URL: must be an smtp:// or smtps:// URL, e.g. smtp://user:password@127.0.0.1:587',
    ]);
    expect(output.stdout + output.stderr).not.toContain('s3cret');
  });

  it('logs the SMTP host it sends through, never the password', async () => {
    const { child, output, exited } = start({ SMTP_URL: 'smtp://shop:s3cret@mail.example.com:2525' });
    try {
      await until(
        'the service to log where mails go, or to exit',
        () => output.stdout.includes('mails go to SMTP via mail.example.com:2525') || child.exitCode !== null,
        { timeoutMs: 60_000 },
      );
    } finally {
      child.kill('SIGTERM');
    }
    await exited;
    expect(output.stdout).toContain('mails go to SMTP via mail.example.com:2525');
    expect(output.stdout + output.stderr).not.toContain('s3cret');
  });
});
