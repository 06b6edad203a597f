import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { until } from '@stitch/waiting-testing';
import type { ChildReport } from '../test/consumer-child';
import { message, startedTransport, tempBus } from '../test/helpers';
import type { LocalTransport } from './local-transport';

const CHILD_SCRIPT = join(__dirname, '..', 'test', 'consumer-child.ts');
const LOCK_MS = 1_000;
const toOrders = { kind: 'queue', name: 'order-service' } as const;

/** One consumer process, and what it reported. */
class Child {
  readonly handled: string[] = [];
  readonly handling: { readonly id: string; readonly attempt: number }[] = [];
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private readonly process: ChildProcess;
  private readonly waitingForReports: (() => void)[] = [];

  constructor(file: string, queue = 'order-service') {
    this.process = fork(CHILD_SCRIPT, [file, queue, String(LOCK_MS)], { execArgv: ['--require', '@swc-node/register'] });
    // So a failed test cannot hang the run on a child it did not close.
    this.process.unref();
    this.process.channel?.unref();
    this.ready = new Promise((resolve, reject) => {
      this.process.on('message', (report: ChildReport) => {
        if (report.kind === 'ready') resolve();
        if (report.kind === 'handling') this.handling.push(report);
        if (report.kind === 'handled') this.handled.push(...report.ids);
        if (report.kind === 'reported') this.waitingForReports.shift()?.();
      });
      this.process.once('exit', (code) => reject(new Error(`consumer process exited early (${code})`)));
    });
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()));
  }

  /** Resolves once the process holds no delivery and has reported every message it completed. */
  async reported(): Promise<void> {
    const answered = new Promise<void>((resolve) => this.waitingForReports.push(resolve));
    this.process.send('report');
    await answered;
  }

  kill(): void {
    this.process.kill('SIGKILL');
  }

  async close(): Promise<void> {
    if (this.process.connected) this.process.send('close');
    await this.exited;
  }
}

describe('consumer processes sharing one queue in one file', () => {
  let bus: ReturnType<typeof tempBus>;
  let children: Child[] = [];
  let sender: LocalTransport;

  beforeAll(async () => {
    bus = tempBus();
    // All three create the schema at once on a file that does not exist yet.
    children = [new Child(bus.file), new Child(bus.file), new Child(bus.file)];
    await Promise.all(children.map((child) => child.ready));
    sender = await startedTransport(bus.file);
  });

  afterAll(async () => {
    await sender?.close();
    await Promise.all(children.map((child) => child.close()));
    bus.remove();
  });

  it('handle every message exactly once between them', async () => {
    const sent = Array.from({ length: 2_000 }, () => message('order.PlaceOrder.v1'));
    for (let i = 0; i < sent.length; i += 100) await sender.send(toOrders, sent.slice(i, i + 100));

    const all = () => children.flatMap((child) => child.handled);
    await until('all 2,000 messages to be handled', () => new Set(all()).size === sent.length, { timeoutMs: 60_000 });
    // With nothing left at the queue and nothing in any process's hands, no message can be handled again.
    await until('the orders queue to be empty', async () => (await sender.depth(toOrders)) === 0, { timeoutMs: 5_000 });
    await Promise.all(children.map((child) => child.reported()));

    expect(all()).toHaveLength(sent.length);
    expect(new Set(all())).toEqual(new Set(sent.map((m) => m.messageId)));
    for (const child of children) expect(child.handled.length).toBeGreaterThanOrEqual(sent.length * 0.05);
  });

  it('deliver the message of a killed process to another once its lease lapses, as attempt 2', async () => {
    const hang = message('test.Hang.v1');
    await sender.send(toOrders, [hang]);
    await until(
      'a process to take the hanging message',
      () => children.some((child) => child.handling.some((h) => h.id === hang.messageId)),
      { timeoutMs: 5_000 },
    );
    const victim = children.find((child) => child.handling.some((h) => h.id === hang.messageId));
    if (!victim) throw new Error('unreachable');

    victim.kill();
    const killedAt = Date.now();
    await victim.exited;
    const survivors = children.filter((child) => child !== victim);
    await until(
      'the hanging message to be redelivered to a survivor',
      () => survivors.some((child) => child.handled.includes(hang.messageId)),
      { timeoutMs: LOCK_MS + 5_000 },
    );

    // The lease was renewed until the kill, so it lapses within one lease of it (plus a timer's slack).
    expect(Date.now() - killedAt).toBeLessThan(LOCK_MS + 1_000);
    const retaken = survivors.flatMap((child) => child.handling).filter((h) => h.id === hang.messageId);
    expect(retaken).toEqual([{ kind: 'handling', id: hang.messageId, attempt: 2 }]);
    children = survivors;
  });
});

describe('a consumer process', () => {
  let bus: ReturnType<typeof tempBus>;
  let child: Child;
  let sender: LocalTransport;

  beforeAll(async () => {
    bus = tempBus();
    child = new Child(bus.file, 'payment-service');
    await child.ready;
    sender = await startedTransport(bus.file);
  });

  afterAll(async () => {
    await sender?.close();
    await child?.close();
    bus.remove();
  });

  it('is woken within milliseconds by a send from another process, every time', async () => {
    // One message at a time, so a wake-up that came too early (before the commit was visible to readers) is not
    // rescued by the next send: it would show as a wait for the consumer's periodic re-check (1.5 s).
    const slowest: number[] = [];
    for (let i = 0; i < 100; i++) {
      const sent = message('payment.CapturePayment.v1');
      const sentAt = Date.now();
      await sender.send({ kind: 'queue', name: 'payment-service' }, [sent]);
      await until(`message ${i + 1} of 100 to be handled`, () => child.handled.includes(sent.messageId), { timeoutMs: 5_000 });
      slowest.push(Date.now() - sentAt);
    }
    // The child reports handled ids every 20 ms, and the test looks every 10 ms.
    expect(Math.max(...slowest)).toBeLessThan(300);
  });
});
