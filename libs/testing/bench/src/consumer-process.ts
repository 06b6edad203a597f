import { fork, type ChildProcess } from 'node:child_process';
import { preciseNow } from './stats';

/** What a consumer process reports, in batches so that IPC does not become what is measured. */
type Report = { handled: number; latencies: number[] };
type FromConsumer = 'ready' | Report;

/**
 * One consumer in its own process, as a service's replica would be: the parent counts what it handled and
 * keeps each message's send → handler latency.
 */
export class ConsumerProcess {
  handled = 0;
  readonly latencies: number[] = [];
  private constructor(private readonly child: ChildProcess) {}

  /** Forks `script` (TypeScript, through @swc-node/register) with `options` as its one argument, and waits until it consumes. */
  static async start(script: string, options: object): Promise<ConsumerProcess> {
    const child = fork(script, [JSON.stringify(options)], { execArgv: ['--require', '@swc-node/register'] });
    const consumer = new ConsumerProcess(child);
    await new Promise<void>((resolve, reject) => {
      child.on('message', (message: FromConsumer) => {
        if (message === 'ready') return resolve();
        consumer.handled += message.handled;
        for (const latency of message.latencies) consumer.latencies.push(latency);
      });
      child.once('exit', (code) => reject(new Error(`bench consumer ${script} exited with ${code}`)));
    });
    return consumer;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send('stop');
    await exited;
  }
}

/** The consumer process's half: its options, and `serveConsumer` to run it under the parent's control. */
export function consumerOptions<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

export interface ConsumerTally {
  /** Call at the start of the handler, with the time the message was sent. */
  handled(sentAt: number): void;
}

/**
 * Starts the consumer `start` builds, reports to the parent every 100 ms, and on the parent's `stop` stops it
 * (through the function `start` returned) and exits.
 */
export async function serveConsumer(start: (tally: ConsumerTally) => Promise<() => Promise<void>>): Promise<void> {
  // Without its parent the process has no one to report to, also while it is still starting.
  process.on('disconnect', () => process.exit(1));
  let handled = 0;
  let latencies: number[] = [];
  const stop = await start({
    handled(sentAt) {
      latencies.push(preciseNow() - sentAt);
      handled += 1;
    },
  });
  const flush = () => {
    if (handled === 0 || !process.connected) return;
    // A parent that has just gone is handled by the disconnect hook above, not as an error here.
    process.send?.({ handled, latencies } satisfies Report, undefined, {}, () => undefined);
    handled = 0;
    latencies = [];
  };
  const timer = setInterval(flush, 100);
  process.send?.('ready');
  process.on('message', (message) => {
    if (message !== 'stop') return;
    clearInterval(timer);
    void stop().then(() => {
      flush();
      process.exit(0);
    });
  });
}
