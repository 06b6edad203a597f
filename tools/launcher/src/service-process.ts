import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { InstancePlan } from './ports';
import { signalProcessTree } from './process-tree';
import { readServiceLine, type ServiceLine } from './service-output';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The process could not be started at all. */
  readonly error?: Error;
}

export interface ServiceProcessOptions {
  readonly plan: InstancePlan;
  /** The entry point, absolute or relative to `cwd`. */
  readonly script: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  readonly onLine?: (line: ServiceLine) => void;
}

/** A service's start, readiness or shutdown went wrong; the message names it and quotes its log. */
export class ServiceFailedError extends Error {
  override readonly name = 'ServiceFailedError';
}

export function describeExit(status: ExitStatus): string {
  if (status.error) return `could not start (${status.error.message})`;
  return status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
}

/**
 * One service replica in its own process group, so that stopping it also stops anything it started, and a
 * Ctrl-C in the terminal reaches only the launcher, which then stops the replicas in order.
 */
export class ServiceProcess {
  readonly exited: Promise<ExitStatus>;
  private readonly outputClosed: Promise<void>;
  private status: ExitStatus | undefined;

  private constructor(
    readonly plan: InstancePlan,
    readonly logFile: string,
    private readonly child: ChildProcess,
    onLine: ((line: ServiceLine) => void) | undefined,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve((this.status = { code, signal })));
      child.once('error', (error) => resolve((this.status ??= { code: null, signal: null, error })));
    });
    const log = createWriteStream(logFile, { flags: 'a' });
    const logFinished = new Promise<void>((resolve) => log.once('close', resolve));
    const streams: Array<[Readable | null, 'stdout' | 'stderr']> = [
      [child.stdout, 'stdout'],
      [child.stderr, 'stderr'],
    ];
    const copies = streams.map(([stream, name]) => {
      if (!stream) return Promise.resolve();
      stream.pipe(log, { end: false });
      if (onLine) {
        readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (raw) => {
          const line = readServiceLine(raw, name);
          if (line) onLine(line);
        });
      }
      return new Promise<void>((resolve) => stream.once('close', resolve));
    });
    this.outputClosed = Promise.all([...copies, this.exited]).then(() => {
      log.end();
      return logFinished;
    });
  }

  static start(options: ServiceProcessOptions): ServiceProcess {
    const child = spawn(process.execPath, ['--require', '@swc-node/register', options.script], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      // Windows gives a detached process a console of its own: keep it out of sight.
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(options.plan, options.logFile, child, options.onLine);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  /** Resolves once `GET /health` answers 200; fails when the process exits first or the time runs out. */
  async waitUntilHealthy(timeoutMs: number, pollMs = 250): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.running) {
      if (await answersHealth(`${this.plan.url}/health`)) return;
      if (Date.now() > deadline) {
        throw new ServiceFailedError(
          `${this.plan.instance} did not answer GET ${this.plan.url}/health with 200 within ${Math.round(timeoutMs / 1000)} s${await this.tailForMessage()}`,
        );
      }
      await Promise.race([sleep(pollMs), this.exited]);
    }
    const status = await this.exited;
    await this.outputClosed;
    throw new ServiceFailedError(`${this.plan.instance} ${describeExit(status)} before it was ready${await this.tailForMessage()}`);
  }

  /** SIGTERM to the group, SIGKILL after the grace period; then SIGKILL sweeps whatever the group still holds. */
  async stop(graceMs: number): Promise<ExitStatus> {
    if (this.running) {
      this.signalGroup('SIGTERM');
      const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.signalGroup('SIGKILL');
    await this.outputClosed;
    return this.exited;
  }

  /** For the launcher's own exit, when nothing can be awaited any more. */
  killNow(): void {
    this.signalGroup('SIGKILL');
  }

  async logTail(lines = 20): Promise<string[]> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').filter(Boolean).slice(-lines);
  }

  private async tailForMessage(): Promise<string> {
    const tail = await this.logTail();
    if (tail.length === 0) return ` (its log ${this.logFile} is empty)`;
    return `; last lines of ${this.logFile}:\n${tail.map((line) => `  | ${line}`).join('\n')}`;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    signalProcessTree(this.pid, signal);
  }
}

async function answersHealth(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
