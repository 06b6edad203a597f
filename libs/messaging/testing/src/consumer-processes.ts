import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Behaviour, ConsumerReport, ConsumerSpec } from './consumer-protocol';

type Report = Extract<ConsumerReport, { messageId: string }> & { readonly instance: string };

/** One consumer OS process, seen from the test: what it started and handled, and a way to kill it. */
export class ConsumerProcess {
  readonly started: Report[] = [];
  readonly handled: Report[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly instance: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(spec: ConsumerSpec): Promise<ConsumerProcess> {
    const script = path.join(__dirname, 'consumer-process.ts');
    // The workspace tsconfig carries the decorator and module settings the child needs to load TypeScript.
    const child = fork(script, [JSON.stringify(spec)], {
      execArgv: ['--require', '@swc-node/register'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // A consumer left behind by a failed test must not keep the test run alive; it exits when the channel closes.
    child.unref();
    child.channel?.unref();
    const consumer = new ConsumerProcess(spec.instance, child);
    await new Promise<void>((resolve, reject) => {
      child.on('message', (message: ConsumerReport) => {
        if (message.event === 'ready') resolve();
        else if (message.event === 'error') reject(new Error(`${spec.instance}: ${message.message}`));
        else (message.event === 'started' ? consumer.started : consumer.handled).push({ ...message, instance: spec.instance });
      });
      child.once('exit', (code) => reject(new Error(`${spec.instance} exited with ${code} before it was ready`)));
    });
    return consumer;
  }

  /** The process gets no chance to settle or clean up: what a crash or OOM kill looks like to the broker. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.send('stop');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface ConsumerGroupOptions {
  readonly transportModule: string;
  readonly params: unknown;
  readonly lockMs: number;
}

/** Every consumer process a test started, so they are all stopped whatever the test's outcome. */
export class ConsumerGroup {
  readonly members: ConsumerProcess[] = [];
  private counter = 0;

  constructor(private readonly options: ConsumerGroupOptions) {}

  async start(service: string, behaviour: Behaviour, concurrency = 8): Promise<ConsumerProcess> {
    const member = await ConsumerProcess.start({
      transportModule: this.options.transportModule,
      params: this.options.params,
      service,
      instance: `${service}-${++this.counter}`,
      behaviour,
      concurrency,
      lockMs: this.options.lockMs,
    });
    this.members.push(member);
    return member;
  }

  handled(service?: string): Report[] {
    return this.members.filter((m) => !service || m.instance.startsWith(`${service}-`)).flatMap((m) => m.handled);
  }

  started(service?: string): Report[] {
    return this.members.filter((m) => !service || m.instance.startsWith(`${service}-`)).flatMap((m) => m.started);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.members.map((member) => member.stop()));
  }
}
