import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { StartupError } from '../config-error';
import { reportStartupFailure } from './bootstrap';

/** Runs the tiny payment app in its own process, as a user starts a service; stderr as its lines. */
function start(env: Record<string, string>): Promise<{ status: number | null; stdout: string; lines: string[] }> {
  const app = path.join(__dirname, '../../test/payment-app.ts');
  const child = spawn(process.execPath, ['--require', '@swc-node/register', app], { env: { ...process.env, LOG_LEVEL: 'info', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, lines: stderr.trim().split('\n').filter(Boolean) });
    }),
  );
}

describe('bootstrapService', () => {
  jest.setTimeout(60_000);

  it('starts a service whose settings and servers are fine', async () => {
    const { status, stdout, lines } = await start({});
    expect(lines).toEqual([]);
    expect(stdout).toContain('started');
    expect(status).toBe(0);
  });

  it.each([
    [
      { MESSAGING_CONCURRENCY: 'zero' },
      'Invalid messaging configuration: MESSAGING_CONCURRENCY: Invalid input: expected number, received NaN',
    ],
    [
      { MESSAGING_TRANSPORT: 'kafka' },
      'Invalid messaging configuration: MESSAGING_TRANSPORT: Invalid option: expected one of "local"|"azure"|"aws"',
    ],
    [{ MESSAGING_TRANSPORT: 'aws' }, 'MESSAGING_TRANSPORT=aws is not available to payment-service (available: local)'],
    [{ PORT: '70000' }, 'Invalid service configuration: PORT: Too big: expected number to be <=65535'],
  ])('stops on a bad setting with one line naming it (%o)', async (env, line) => {
    const { status, lines } = await start(env);
    expect(lines).toEqual([line]);
    expect(status).toBe(1);
  });

  it('stops with one line when its HTTP port is in use, before its consumer starts', async () => {
    const other = net.createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as net.AddressInfo;
    try {
      const { status, stdout, lines } = await start({ PORT: String(port) });
      expect(lines).toEqual([`port ${port} (PORT) is in use by another program: stop it or set PORT to a free port (PORT=0 picks one)`]);
      expect(status).toBe(1);
      expect(stdout).not.toContain('receiving');
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('stops with one line when HOST is not an address of this machine', async () => {
    const { status, lines } = await start({ HOST: '192.0.2.1' });
    expect(lines).toEqual([
      'HOST=192.0.2.1 is not an address of this machine: set HOST to 127.0.0.1 (the default) or 0.0.0.0 (every interface)',
    ]);
    expect(status).toBe(1);
  });

  it('prints a StartupError a transport throws as its one line, and the stacks only with LOG_LEVEL=debug', async () => {
    const line = 'cannot reach the test broker at 127.0.0.1:9 (connection refused): is it running?';
    const plain = await start({ TEST_START_FAILURE: 'startup' });
    expect(plain.lines).toEqual([line]);
    expect(plain.status).toBe(1);

    const debug = await start({ TEST_START_FAILURE: 'startup', LOG_LEVEL: 'debug' });
    expect(debug.status).toBe(1);
    expect(debug.lines[0]).toBe(line);
    expect(debug.lines[1]).toBe(`StartupError: ${line}`);
    expect(debug.lines).toContain('caused by: Error: connect ECONNREFUSED 127.0.0.1:9');
    expect(debug.lines.some((text) => /^\s+at .*payment-app\.ts/.test(text))).toBe(true);
  });

  it('prints an error nobody translated as one line too, saying how to see its stack', async () => {
    const { status, lines } = await start({ TEST_START_FAILURE: 'crash' });
    expect(lines).toEqual(['start-up failed: Error: the test transport broke (LOG_LEVEL=debug prints the stack)']);
    expect(status).toBe(1);
  });
});

describe('reportStartupFailure', () => {
  it('writes the cause chain under the line with LOG_LEVEL=trace, and nothing more without it', () => {
    const cause = new Error('inner');
    const error = new StartupError('outer', { cause });
    const quiet: string[] = [];
    reportStartupFailure(error, { LOG_LEVEL: 'info' }, (text) => quiet.push(text));
    expect(quiet).toEqual(['outer']);
    const loud: string[] = [];
    reportStartupFailure(error, { LOG_LEVEL: 'trace' }, (text) => loud.push(text));
    expect(loud[0]).toBe('outer');
    expect(loud[1]).toMatch(/^StartupError: outer\n\s+at /);
    expect(loud[2]).toMatch(/^caused by: Error: inner\n\s+at /);
  });
});
