/**
 * `npm run bench -- --azure`: Stitch's Service Bus transport beside the bare `@azure/service-bus` SDK, on the broker
 * SERVICEBUS_CONNECTION_STRING names (a namespace, or the emulator), with the queue `worker` there (the bench
 * catalogue's command queue). The transport runs the real pipeline (`MessageBus`, `MessageConsumer`: envelopes, zod,
 * settles); the bare SDK sends the same JSON with `sendMessages` and receives with a bare loop of the same receive and complete calls. Without a
 * broker it prints one line and measures nothing: the fake broker used by the tests does not speak AMQP.
 *
 *   npm run bench -- --azure [--quick] [--messages N] [--seconds S]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import type { Destination } from '@stitch/messaging-core';
import {
  benchCatalogue,
  type BenchFigure,
  busSends,
  ConsumerProcess,
  describeMachine,
  formatRatio,
  measureLatency,
  measureThroughput,
  printTable,
  type QueueUnderTest,
  withRatios,
  writeBenchRun,
  wholeNumberOptions,
} from '@stitch/bench-testing';
import { createServiceBusTransport, sdkClientFactory } from '../src';
import type { ServiceBusConsumerOptions } from './service-bus-bench-consumer';

const { values } = parseArgs({
  options: {
    azure: { type: 'boolean', default: true },
    quick: { type: 'boolean', default: false },
    messages: { type: 'string' },
    seconds: { type: 'string' },
  },
});
const { messages: MESSAGES, seconds: LATENCY_SECONDS } = wholeNumberOptions({
  messages: Number(values.messages ?? (values.quick ? 200 : 1_000)),
  seconds: Number(values.seconds ?? (values.quick ? 3 : 10)),
});
const RATE = 50;
/** The shop's defaults: MESSAGING_CONCURRENCY, and the entities' provisioned lock. */
const CONCURRENCY = 16;
const LOCK_MS = 30_000;
const QUEUE = 'worker';
const BASELINE = 'raw-sdk';
const queue: Destination = { kind: 'queue', name: QUEUE };

interface Subject {
  readonly id: string;
  readonly label: string;
  open(connectionString: string): Promise<QueueUnderTest>;
}

const consumer = (kind: ServiceBusConsumerOptions['kind'], connectionString: string) =>
  ConsumerProcess.start(path.join(__dirname, 'service-bus-bench-consumer.ts'), {
    kind,
    connectionString,
    queue: QUEUE,
    concurrency: CONCURRENCY,
    lockMs: LOCK_MS,
  } satisfies ServiceBusConsumerOptions);

const stitch: Subject = {
  id: 'stitch-azure',
  label: 'Stitch Service Bus transport',
  async open(connectionString) {
    const transport = createServiceBusTransport({
      topology: benchCatalogue.topology(),
      client: sdkClientFactory({ kind: 'connectionString', connectionString }),
      service: 'driver',
      lockDurationMs: LOCK_MS,
    });
    await transport.start();
    const consumers = [await consumer('stitch', connectionString)];
    return {
      consumers,
      ...busSends(transport, benchCatalogue, queue),
      async close() {
        await Promise.all(consumers.map((process) => process.stop()));
        await transport.close();
      },
    };
  },
};

const raw: Subject = {
  id: BASELINE,
  label: '@azure/service-bus, bare',
  async open(connectionString) {
    const client = new ServiceBusClient(connectionString);
    const sender = client.createSender(QUEUE);
    const consumers = [await consumer('raw', connectionString)];
    const message = (data: { n: number; sentAt: number }): ServiceBusMessage => ({
      body: JSON.stringify({ data }),
      contentType: 'application/json',
    });
    return {
      consumers,
      sendBatch: (messages) => sender.sendMessages(messages.map(message)),
      send: (data) => sender.sendMessages(message(data)),
      async close() {
        await Promise.all(consumers.map((process) => process.stop()));
        await sender.close();
        await client.close();
      },
    };
  },
};

async function main(): Promise<void> {
  const connectionString = process.env['SERVICEBUS_CONNECTION_STRING'];
  if (!connectionString) {
    console.log(
      'Service Bus transport versus the bare SDK: skipped: SERVICEBUS_CONNECTION_STRING is not set (a namespace or the emulator, with a queue named worker)',
    );
    return;
  }
  const startedAt = new Date().toISOString();
  const figures: BenchFigure[] = [];
  for (const subject of [raw, stitch]) {
    const throughputQueue = await subject.open(connectionString);
    const throughput = await measureThroughput(throughputQueue, MESSAGES, 100).finally(() => throughputQueue.close());
    const latencyQueue = await subject.open(connectionString);
    const latency = await measureLatency(latencyQueue, RATE, LATENCY_SECONDS).finally(() => latencyQueue.close());
    const figure = (scenario: string, metric: string, unit: string, value: number) =>
      figures.push({ subject: subject.id, scenario, metric, unit, value });
    figure('throughput', 'handled', 'msg/s', throughput.handledPerS);
    figure(`latency at ${RATE}/s`, 'send→handler p50', 'ms', latency.p50);
    figure(`latency at ${RATE}/s`, 'send→handler p99', 'ms', latency.p99);
  }
  const rated = withRatios(figures, BASELINE);
  const rows = rated
    .filter((figure) => figure.subject === stitch.id)
    .map((figure) => {
      const base = rated.find(
        (other) => other.subject === BASELINE && other.scenario === figure.scenario && other.metric === figure.metric,
      );
      return [
        figure.scenario,
        `${figure.metric} (${figure.unit})`,
        figure.value.toFixed(1),
        base?.value.toFixed(1) ?? '–',
        formatRatio(figure.ratio ?? NaN),
      ];
    });
  console.log(`\nService Bus: ${MESSAGES} messages per throughput run, ${RATE}/s for ${LATENCY_SECONDS} s per latency run\n`);
  printTable(['scenario', 'figure', stitch.label, raw.label, '× bare'], rows);
  const file = writeBenchRun({
    format: 'stitch-bench/1',
    benchmark: 'service-bus',
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: describeMachine(),
    options: { messages: MESSAGES, seconds: LATENCY_SECONDS, quick: values.quick },
    baseline: BASELINE,
    figures: rated,
    notes: [],
  });
  console.log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
