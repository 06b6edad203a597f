import { setTimeout as sleep } from 'node:timers/promises';
import { until } from '@stitch/waiting-testing';
import type { Ping } from './bench-catalogue';
import type { ConsumerProcess } from './consumer-process';
import { preciseNow, summarizeLatencies, type LatencySummary } from './stats';

/** One transport set up for one measurement: its consumer processes started, its queue empty. */
export interface QueueUnderTest {
  readonly consumers: readonly ConsumerProcess[];
  /** Sends the messages as one batch, as the transport's client does best (one transaction, one pipeline…). */
  sendBatch(messages: readonly Ping[]): Promise<void>;
  /** Sends one message on its own, as one command from a request handler would be. */
  send(message: Ping): Promise<void>;
  close(): Promise<void>;
}

export function handledBy(consumers: readonly ConsumerProcess[]): number {
  return consumers.reduce((sum, consumer) => sum + consumer.handled, 0);
}

/** Waits until the consumers have handled `total` messages between them; fails after `timeoutMs`. */
export async function waitForHandled(consumers: readonly ConsumerProcess[], total: number, timeoutMs = 300_000): Promise<void> {
  // Every 5 ms: the last look's delay is part of the time a throughput measurement takes.
  await until(`the consumers to handle ${total} messages`, () => handledBy(consumers) >= total, {
    timeoutMs,
    intervalMs: 5,
    state: () => `only ${handledBy(consumers)} handled`,
  });
}

export interface Throughput {
  readonly sentPerS: number;
  readonly handledPerS: number;
  /** Messages each consumer process handled. */
  readonly spread: number[];
}

/** Sends `total` messages as fast as the client takes them, in batches, and times first send to last handled. */
export async function measureThroughput(queue: QueueUnderTest, total: number, batch = 100): Promise<Throughput> {
  const started = preciseNow();
  for (let sent = 0; sent < total; sent += batch) {
    const size = Math.min(batch, total - sent);
    await queue.sendBatch(Array.from({ length: size }, (_, i) => ({ n: sent + i, sentAt: preciseNow() })));
    // Let consumers in this process's event loop run between batches, as a producer that also does other work would.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const sendSeconds = (preciseNow() - started) / 1_000;
  await waitForHandled(queue.consumers, total);
  const seconds = (preciseNow() - started) / 1_000;
  return { sentPerS: total / sendSeconds, handledPerS: total / seconds, spread: queue.consumers.map((consumer) => consumer.handled) };
}

/** Sends `rate` messages a second for `seconds`, each on its own, and summarises send → handler-start latency. */
export async function measureLatency(queue: QueueUnderTest, rate: number, seconds: number): Promise<LatencySummary> {
  const total = rate * seconds;
  const started = preciseNow();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((preciseNow() - started) / 1_000) * rate));
    while (sent < due) await queue.send({ n: sent++, sentAt: preciseNow() });
    await sleep(1);
  }
  await waitForHandled(queue.consumers, total);
  return summarizeLatencies(queue.consumers.flatMap((consumer) => consumer.latencies));
}
