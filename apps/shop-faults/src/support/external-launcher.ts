import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { isAlive, operatorTokenOf, readRunRecord, type RunRecord } from '@stitch/launcher';
import { embeddedPostgresUrl, readEmbeddedPostgresPassword } from '@stitch/persistence';

const MAIN = path.resolve('tools/launcher/src/main.ts');

/**
 * `npm start` as a user runs it: the launcher in processes of its own (the first one, and the supervisor it starts
 * in a group of its own), with the embedded PostgreSQL, on fixed ports and a data folder, so a test can kill it and
 * start another on the same folder.
 */
export class ExternalLauncher {
  private readonly output: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly dataDir: string,
  ) {}

  static async start(options: {
    readonly dataDir: string;
    readonly port: number;
    readonly env: Readonly<Record<string, string>>;
    readonly readyTimeoutMs: number;
  }): Promise<ExternalLauncher> {
    const child = spawn(
      process.execPath,
      ['--require', '@swc-node/register', MAIN, '--data-dir', options.dataDir, '--port', String(options.port)],
      {
        env: { ...process.env, ...options.env, DATABASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const launcher = new ExternalLauncher(child, options.dataDir);
    const ready = new Promise<void>((resolve, reject) => {
      const onLine = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line) launcher.output.push(line);
          if (line.includes('the shop is ready')) resolve();
        }
      };
      child.stdout?.on('data', onLine);
      child.stderr?.on('data', onLine);
      child.once('exit', (code, signal) =>
        reject(new Error(`the launcher exited (${code ?? signal}) before the shop was ready:\n${launcher.output.slice(-20).join('\n')}`)),
      );
    });
    const timeout = AbortSignal.timeout(options.readyTimeoutMs);
    await Promise.race([
      ready,
      once(timeout, 'abort').then(() =>
        Promise.reject(new Error(`the shop was not ready within ${options.readyTimeoutMs} ms:\n${launcher.output.slice(-20).join('\n')}`)),
      ),
    ]).catch(async (error: unknown) => {
      await launcher.stop();
      throw error;
    });
    return launcher;
  }

  get runFile(): string {
    return path.join(this.dataDir, 'run', 'processes.json');
  }

  async record(): Promise<RunRecord> {
    const record = await readRunRecord(this.runFile);
    if (!record) throw new Error(`${this.runFile} is missing`);
    return record;
  }

  /** The embedded server's URL with its credentials: the run record leaves the password out; it is kept beside the cluster. */
  async databaseUrl(): Promise<string> {
    const { postgres } = await this.record();
    if (!postgres) throw new Error('the launcher runs no embedded PostgreSQL');
    const password = await readEmbeddedPostgresPassword(postgres.dataDir);
    if (password === undefined) throw new Error(`no password is kept beside ${postgres.dataDir}`);
    return embeddedPostgresUrl(postgres.port, password);
  }

  /** The storefront's operator token, kept in the data folder. */
  operatorToken(): Promise<string> {
    return operatorTokenOf(this.dataDir);
  }

  /** What the launcher said, for a failure's message. */
  lines(): readonly string[] {
    return this.output;
  }

  /** SIGKILL to the supervisor, the process whose children the services and PostgreSQL are: no chance to stop them. */
  async killSupervisor(): Promise<number> {
    const { launcherPid } = await this.record();
    process.kill(launcherPid, 'SIGKILL');
    return launcherPid;
  }

  /** Ctrl-C, as a user stops it; waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** The pids of a run record that are still alive: its replicas, its PostgreSQL and the supervisor itself. */
export function survivorsOf(record: RunRecord): string[] {
  const survivors = record.processes.filter((child) => isAlive(child.pid)).map((child) => `${child.instance} (${child.pid})`);
  if (record.postgres && isAlive(record.postgres.pid)) survivors.push(`postgres (${record.postgres.pid})`);
  if (isAlive(record.launcherPid)) survivors.push(`launcher (${record.launcherPid})`);
  return survivors;
}

/**
 * The first of `count` consecutive free ports, from a random place below Linux's ephemeral range (32768-60999), where
 * no outgoing connection made meanwhile can take one.
 */
export async function freeBasePort(count: number, from = 10_000 + Math.floor(Math.random() * 10_000)): Promise<number> {
  for (let base = from; base < 32_000; base += count) {
    const ports = Array.from({ length: count }, (_, index) => base + index);
    if ((await Promise.all(ports.map(isPortFree))).every(Boolean)) return base;
  }
  throw new Error('no free ports below 32000');
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
