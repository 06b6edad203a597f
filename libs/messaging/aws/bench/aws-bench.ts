/**
 * `npm run bench -- --aws`: Stitch's AWS transport beside the bare AWS SDK making the same calls, both against one
 * moto server that the bench starts on 127.0.0.1 and stops after. Commands: SendMessageBatch → ReceiveMessage (long
 * poll) → handler → DeleteMessageBatch; events: PutEvents → the bus's rule → the subscriber's queue → the same. The
 * transport runs the real pipeline (`MessageBus`, `MessageConsumer`: envelopes, zod, settles); the bare SDK sends a
 * small JSON body and counts what it receives. Prints each figure of the transport as a ratio to the bare SDK's.
 *
 *   npm run bench -- --aws [--quick] [--messages N] [--seconds S] [--rounds R]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Destination } from '@stitch/messaging-core';
import {
  benchEventCatalogue,
  type BenchFigure,
  busSends,
  ConsumerProcess,
  cpuMsOf,
  describeMachine,
  type Emit,
  formatRatio,
  measureLatency,
  measureThroughput,
  percentile,
  Ping,
  Pinged,
  preciseNow,
  printTable,
  type QueueUnderTest,
  summarizeLatencies,
  withRatios,
  writeBenchRun,
  wholeNumberOptions,
} from '@stitch/bench-testing';
import {
  applyTopology,
  awsEntities,
  AwsTransport,
  createAwsClients,
  deleteTopology,
  destroyAwsClients,
  readCallLog,
  type AwsClientSettings,
} from '../src';
import type { AwsConsumerOptions } from './aws-bench-consumer';

const { values } = parseArgs({
  options: {
    aws: { type: 'boolean', default: true },
    quick: { type: 'boolean', default: false },
    messages: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const {
  messages: MESSAGES,
  seconds: LATENCY_SECONDS,
  rounds: ROUNDS,
} = wholeNumberOptions({
  messages: Number(values.messages ?? 300),
  seconds: Number(values.seconds ?? 3),
  rounds: Number(values.rounds ?? (values.quick ? 1 : 3)),
});
/** A modest rate, well below what either side can take, so latency is the path and not a queue building up. */
const RATE = 50;
/** The shop's defaults (MESSAGING_CONCURRENCY, MESSAGING_LOCK_MS): a 30 s lock makes a 15 s long poll. */
const CONCURRENCY = 16;
const LOCK_MS = 30_000;
const BASELINE = 'raw-sdk';
const MOTO_INSTALL = "python3 -m venv .tools/moto && .tools/moto/bin/pip install 'moto[server]==5.2.5'";

type Kind = 'commands' | 'events';
const topology = benchEventCatalogue.topology();
const commandQueue: Destination = { kind: 'queue', name: 'worker' };
const eventTopic: Destination = { kind: 'topic', name: topology.topic.name };

interface Subject {
  readonly id: string;
  readonly label: string;
  /** Provisions a fresh topology under `prefix` and starts the consumer; every SDK call of both sides is logged in `calls`. */
  open(kind: Kind, prefix: string, settings: AwsClientSettings, calls: string): Promise<QueueUnderTest>;
}

/** The repository's moto (where CI installs it), else one on PATH. */
function findMoto(): string | undefined {
  const local = path.resolve(__dirname, '../../../../.tools/moto/bin/moto_server');
  if (existsSync(local)) return local;
  return (process.env['PATH'] ?? '')
    .split(path.delimiter)
    .map((dir) => path.join(dir, 'moto_server'))
    .find((file) => existsSync(file));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** moto in server mode on a free loopback port, stopped when `stop` is called or this process ends. */
async function startMoto(binary: string, folder: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const log = path.join(folder, 'moto.log');
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', () => kill('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const url = `http://127.0.0.1:${port}`;
  const answers = () =>
    fetch(`${url}/moto-api/`).then(
      (response) => response.ok,
      () => false,
    );
  for (const deadline = Date.now() + 60_000; !(await answers()); await sleep(200)) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode} before it answered; see ${log}`);
    if (Date.now() > deadline) throw new Error(`moto_server did not answer within 60 s; see ${log}`);
  }
  return {
    url,
    pid: child.pid ?? 0,
    stop: async () => {
      kill('SIGTERM');
      if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) kill('SIGKILL');
    },
  };
}

/** The calls of the message path, as both sides logged them. */
const COUNTED = new Set([
  'events:PutEvents',
  'sqs:SendMessageBatch',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessageBatch',
  'sqs:ChangeMessageVisibilityBatch',
]);

async function callsPerMessage(folder: string, messages: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { api } of await readCallLog(folder)) if (COUNTED.has(api)) counts.set(api, (counts.get(api) ?? 0) + 1);
  return new Map([...counts].sort().map(([api, count]) => [api, count / messages]));
}

/** A fresh topology under `prefix`, with what the consumer needs to find its queue. */
async function provision(settings: AwsClientSettings, prefix: string, kind: Kind) {
  const clients = createAwsClients(settings);
  const entities = awsEntities(topology, prefix);
  try {
    await applyTopology(clients, entities);
    const queue =
      kind === 'commands'
        ? entities.commandQueue(commandQueue)
        : entities.sourceQueues({ kind: 'subscription', topic: eventTopic.name, name: 'worker' }).queue;
    const { QueueUrl = '' } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    return {
      queueUrl: QueueUrl,
      bus: entities.bus,
      remove: async () => {
        const cleaner = createAwsClients(settings);
        await deleteTopology(cleaner, entities).finally(() => destroyAwsClients(cleaner));
      },
    };
  } finally {
    destroyAwsClients(clients);
  }
}

async function startConsumer(options: AwsConsumerOptions): Promise<ConsumerProcess> {
  return ConsumerProcess.start(path.join(__dirname, 'aws-bench-consumer.ts'), options);
}

const stitch: Subject = {
  id: 'stitch-aws',
  label: 'Stitch AWS transport',
  async open(kind, prefix, settings, calls) {
    const { queueUrl, remove } = await provision(settings, prefix, kind);
    const clients = createAwsClients({ ...settings, callLog: { directory: calls, service: 'driver' } });
    const transport = new AwsTransport({ topology, clients, prefix, service: 'driver' });
    await transport.start();
    const consumer = await startConsumer({
      kind: 'stitch',
      clients: { ...settings, callLog: { directory: calls, service: 'worker' } },
      prefix,
      queueUrl,
      concurrency: CONCURRENCY,
      lockMs: LOCK_MS,
    });
    const destination = kind === 'commands' ? commandQueue : eventTopic;
    const emit: Emit = (bus, ping) => (kind === 'commands' ? bus.send(Ping, ping) : bus.publish(Pinged, ping));
    return {
      consumers: [consumer],
      // A batch goes to the transport in one call, ten entries a request.
      ...busSends(transport, benchEventCatalogue, destination, emit),
      async close() {
        await consumer.stop();
        await transport.close();
        await remove();
      },
    };
  },
};

const raw: Subject = {
  id: BASELINE,
  label: 'AWS SDK, bare',
  async open(kind, prefix, settings, calls) {
    const { queueUrl, bus, remove } = await provision(settings, prefix, kind);
    const clients = createAwsClients({ ...settings, callLog: { directory: calls, service: 'driver' } });
    const consumerClients = { ...settings, callLog: { directory: calls, service: 'worker' } };
    const consumer = await startConsumer({
      kind: 'raw',
      clients: consumerClients,
      prefix,
      queueUrl,
      concurrency: CONCURRENCY,
      lockMs: LOCK_MS,
    });
    const body = (ping: { n: number; sentAt: number }) => JSON.stringify({ data: ping });
    const sendTen = async (pings: readonly { n: number; sentAt: number }[]) => {
      if (kind === 'commands') {
        const { Failed = [] } = await clients.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: pings.map((ping, i) => ({ Id: String(i), MessageBody: body(ping) })),
          }),
        );
        if (Failed.length > 0) throw new Error(`SendMessageBatch: ${Failed.length} failed: ${Failed[0]?.Code}`);
      } else {
        const { FailedEntryCount } = await clients.eventBridge.send(
          new PutEventsCommand({
            Entries: pings.map((ping) => ({ EventBusName: bus, Source: '/stitch/driver', DetailType: Pinged.type, Detail: body(ping) })),
          }),
        );
        if (FailedEntryCount) throw new Error(`PutEvents: ${FailedEntryCount} failed`);
      }
    };
    return {
      consumers: [consumer],
      async sendBatch(pings) {
        for (let i = 0; i < pings.length; i += 10) await sendTen(pings.slice(i, i + 10));
      },
      send: (ping) => sendTen([ping]),
      async close() {
        await consumer.stop();
        destroyAwsClients(clients);
        await remove();
      },
    };
  },
};

/** Times each single send (the call to SQS or EventBridge and what the client does around it). */
function timingSends(queue: QueueUnderTest, durations: number[]): QueueUnderTest {
  return {
    ...queue,
    async send(ping) {
      const started = preciseNow();
      await queue.send(ping);
      durations.push(preciseNow() - started);
    },
  };
}

/**
 * moto on its own: how long one PutEvents takes, and whether the rule's SQS target already holds the event when the
 * call returns (one ReceiveMessage that does not wait), which says whether moto adds any delivery delay of its own.
 */
async function probeEventDelivery(settings: AwsClientSettings, prefix: string, count: number) {
  const { queueUrl, bus, remove } = await provision(settings, prefix, 'events');
  const { sqs, eventBridge } = createAwsClients(settings);
  const calls: number[] = [];
  const toReceived: number[] = [];
  let atOnce = 0;
  try {
    for (let n = 0; n < count; n++) {
      const started = preciseNow();
      await eventBridge.send(
        new PutEventsCommand({ Entries: [{ EventBusName: bus, Source: '/stitch/driver', DetailType: Pinged.type, Detail: '{"n":0}' }] }),
      );
      calls.push(preciseNow() - started);
      for (let look = 0; ; look++) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: look === 0 ? 0 : 1 }),
        );
        const [message] = Messages;
        if (!message) continue;
        toReceived.push(preciseNow() - started);
        if (look === 0) atOnce++;
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        break;
      }
    }
  } finally {
    sqs.destroy();
    eventBridge.destroy();
    await remove();
  }
  return { putEvents: summarizeLatencies(calls), received: summarizeLatencies(toReceived), atOnceShare: atOnce / count };
}

async function main(): Promise<void> {
  const binary = findMoto();
  if (!binary) {
    console.log(`moto_server is not installed: skipped (${MOTO_INSTALL})`);
    return;
  }
  const startedAt = new Date().toISOString();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'stitch-bench-aws-'));
  // Ctrl-C ends the process without the finally below; moto's own exit hook has stopped it by then.
  process.on('exit', () => rmSync(folder, { recursive: true, force: true, maxRetries: 3 }));
  const moto = await startMoto(binary, folder);
  try {
    const settings: AwsClientSettings = { endpoint: moto.url, region: 'us-east-1' };
    // moto takes any credentials; the SDK's default chain still wants some.
    process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
    process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';
    const machine = describeMachine();
    console.log(
      `Stitch's AWS transport beside the bare AWS SDK, on moto — Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAverage.map((load) => load.toFixed(1)).join(' ')}`,
    );
    console.log(
      `throughput: ${MESSAGES} messages, ten to a call; latency: ${RATE}/s for ${LATENCY_SECONDS} s; one consumer process; ` +
        `${ROUNDS} round${ROUNDS > 1 ? 's' : ''}, the median of each figure\n`,
    );

    const samples = new Map<string, BenchFigure & { values: number[] }>();
    const measure = (subject: Subject, scenario: string, metric: string, unit: string, value: number) => {
      const key = [subject.id, scenario, metric].join('\u0000');
      const sample = samples.get(key) ?? { subject: subject.id, scenario, metric, unit, value: NaN, values: [] };
      sample.values.push(value);
      samples.set(key, sample);
      console.log(`  ${subject.label} | ${scenario} | ${metric}: ${value.toFixed(unit === 'msg/s' ? 0 : 2)} ${unit}`);
    };
    let run = 0;
    const throughput = async (subject: Subject, kind: Kind) => {
      const calls = path.join(folder, 'calls', `bench${++run}`);
      const queue = await subject.open(kind, `bench${run}`, settings, calls);
      const scenario = `${kind}: throughput`;
      try {
        const motoCpuMs = cpuMsOf(moto.pid);
        const result = await measureThroughput(queue, MESSAGES);
        measure(subject, scenario, 'handled', 'msg/s', result.handledPerS);
        measure(subject, scenario, 'moto CPU per message', 'ms', (cpuMsOf(moto.pid) - motoCpuMs) / MESSAGES);
      } finally {
        await queue.close();
      }
      for (const [api, perMessage] of await callsPerMessage(calls, MESSAGES))
        measure(subject, scenario, `${api} per message`, 'calls', perMessage);
    };
    const latency = async (subject: Subject, kind: Kind) => {
      const sends: number[] = [];
      const calls = path.join(folder, 'calls', `bench${++run}`);
      const queue = timingSends(await subject.open(kind, `bench${run}`, settings, calls), sends);
      const scenario = `${kind}: latency at ${RATE}/s`;
      try {
        const motoCpuMs = cpuMsOf(moto.pid);
        const summary = await measureLatency(queue, RATE, LATENCY_SECONDS);
        measure(subject, scenario, 'send→handler p50', 'ms', summary.p50);
        measure(subject, scenario, 'send→handler p99', 'ms', summary.p99);
        measure(subject, scenario, 'send call p50', 'ms', summarizeLatencies(sends).p50);
        measure(subject, scenario, 'moto CPU per message', 'ms', (cpuMsOf(moto.pid) - motoCpuMs) / (RATE * LATENCY_SECONDS));
      } finally {
        await queue.close();
      }
      for (const [api, perMessage] of await callsPerMessage(calls, RATE * LATENCY_SECONDS))
        measure(subject, scenario, `${api} per message`, 'calls', perMessage);
    };
    // The two take turns in each scenario, the first one changing from round to round, and each figure is the median
    // of the rounds: the machine's changing load then falls on both alike.
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round} of ${ROUNDS}`);
      const order = round % 2 === 1 ? [stitch, raw] : [raw, stitch];
      for (const kind of ['commands', 'events'] as const) {
        for (const subject of order) await throughput(subject, kind);
        for (const subject of order) await latency(subject, kind);
      }
    }

    const probe = await probeEventDelivery(settings, `bench${++run}`, RATE * LATENCY_SECONDS);
    const probed = 'moto alone: PutEvents → target queue';
    measure(raw, probed, 'PutEvents call p50', 'ms', probe.putEvents.p50);
    measure(raw, probed, 'PutEvents → received p50', 'ms', probe.received.p50);
    measure(raw, probed, 'in the queue when PutEvents returns', '%', probe.atOnceShare * 100);

    const figures: BenchFigure[] = [...samples.values()].map(({ values: measured, ...figure }) => ({
      ...figure,
      value: percentile(measured, 50),
    }));
    const rated = withRatios(figures, BASELINE);
    const keys = [...new Map(rated.map((figure) => [`${figure.scenario}|${figure.metric}`, figure])).values()];
    const rows = keys.map(({ scenario, metric, unit }) => {
      const of = (subject: string) =>
        rated.find((figure) => figure.subject === subject && figure.scenario === scenario && figure.metric === metric);
      const [ours, bare] = [of(stitch.id), of(raw.id)];
      const shown = (value?: number) =>
        value === undefined ? '–' : unit === 'msg/s' ? Math.round(value).toLocaleString('en') : value.toFixed(2);
      return [scenario, `${metric} (${unit})`, shown(ours?.value), shown(bare?.value), formatRatio(ours?.ratio ?? NaN)];
    });
    console.log('\n× bare = the transport’s figure over the bare SDK’s in this run (msg/s: above 1× is faster; ms: below 1× is faster)\n');
    printTable(['scenario', 'figure', stitch.label, raw.label, '× bare'], rows);

    const file = writeBenchRun({
      format: 'stitch-bench/1',
      benchmark: 'aws',
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: describeMachine(),
      options: {
        quick: values.quick,
        messages: MESSAGES,
        latencyRate: RATE,
        latencySeconds: LATENCY_SECONDS,
        rounds: ROUNDS,
        concurrency: CONCURRENCY,
        lockMs: LOCK_MS,
      },
      baseline: BASELINE,
      figures: rated,
      notes: [`moto_server at ${path.relative(process.cwd(), binary) || binary}, one consumer process per subject`],
    });
    console.log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
  } finally {
    await moto.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
