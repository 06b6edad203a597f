import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { until } from '@stitch/waiting-testing';

const repoRoot = path.resolve(__dirname, '../../../..');

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The storefront as the launcher runs it: its own process, from the repository root, configured by env. */
export class StorefrontProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    // Whatever happens to the test, the storefront does not outlive it.
    process.once('exit', () => child.kill('SIGKILL'));
  }

  static async start(env: Record<string, string>): Promise<StorefrontProcess> {
    const port = await freePort();
    const { NODE_OPTIONS: _jestOnly, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--require', '@swc-node/register', 'apps/storefront/src/main.ts'], {
      cwd: repoRoot,
      env: {
        ...inherited,
        HOST: '127.0.0.1',
        PORT: String(port),
        INSTANCE_ID: 'storefront-1',
        MESSAGING_TRANSPORT: 'local',
        STITCH_SHOP_ID: 'shop-storefront-test',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const storefront = new StorefrontProcess(child, `http://127.0.0.1:${port}`);
    await storefront.waitForHealth(60_000);
    return storefront;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private async waitForHealth(timeoutMs: number): Promise<void> {
    try {
      await until(
        `the storefront to answer ${this.url}/health`,
        async () => {
          if (this.child.exitCode !== null) throw new Error(`the storefront exited with ${this.child.exitCode}:\n${this.output}`);
          return fetch(`${this.url}/health`).then(
            (response) => response.ok,
            () => false,
          );
        },
        // Starting takes seconds: a request every 200 ms is prompt enough and takes little from the start's CPU.
        { timeoutMs, intervalMs: 200, state: () => (this.output ? `its output:\n${this.output}` : 'it wrote nothing') },
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
  }
}
