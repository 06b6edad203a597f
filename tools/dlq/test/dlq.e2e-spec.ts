// `npm run dlq` as a separate process against a real transport: the embedded one always, AWS when an emulator
// answers at TEST_AWS_ENDPOINT_URL (see .ci/run):
//   TEST_AWS_ENDPOINT_URL=http://127.0.0.1:5055 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test npx nx run dlq:e2e
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SendEmail, shopCatalogue, UserSignedUp } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { applyTopology, awsEntities, createAwsClients, createAwsTransport, deleteTopology, destroyAwsClients } from '@stitch/messaging-aws';
import {
  createEnvelope,
  createLogger,
  MessageConsumer,
  MessageRejectedError,
  type Destination,
  type IncomingMessage,
  type MessageHandlerFn,
  type Source,
  type Transport,
} from '@stitch/messaging-core';
import { createLocalTransport } from '@stitch/messaging-local';
import { localTransportFile } from '@stitch/messaging-transports';
import { until } from '@stitch/waiting-testing';
import { dlq } from './dlq-cli';

interface Running {
  readonly transport: Transport;
  /** The settings the services of this run have, so the CLI picks the same transport. */
  readonly env: Record<string, string>;
  /** How long to collect deliveries before saying nothing more comes. */
  readonly quietMs: number;
  teardown(): Promise<void>;
}

interface Fixture {
  readonly name: string;
  readonly skipReason?: string;
  start(): Promise<Running>;
}

const topology = shopCatalogue.topology();

const local: Fixture = {
  name: 'embedded',
  async start() {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-dlq-e2e-'));
    const transport = createLocalTransport({ topology, file: localTransportFile(dataDir) });
    return {
      transport,
      env: { MESSAGING_TRANSPORT: 'local', STITCH_DATA_DIR: dataDir },
      quietMs: 1_000,
      teardown: () => rm(dataDir, { recursive: true, force: true }),
    };
  },
};

/** Decided as jest collects the tests, so a run without an emulator says why in one line and skips. */
function awsFixture(): Fixture {
  const endpoint = process.env['TEST_AWS_ENDPOINT_URL'];
  const region = process.env['AWS_REGION'] ?? 'us-east-1';
  const name = 'AWS';
  if (!endpoint)
    return {
      name,
      skipReason: 'TEST_AWS_ENDPOINT_URL is not set (the URL of an AWS API emulator such as moto_server)',
      start: async () => never(),
    };
  const probe = spawnSync(
    process.execPath,
    ['-e', 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then(() => process.exit(0), () => process.exit(1))', endpoint],
    {
      timeout: 5_000,
    },
  );
  if (probe.status !== 0) return { name, skipReason: `no AWS API emulator answers at ${endpoint}`, start: async () => never() };
  return {
    name,
    async start() {
      // A fresh prefix: this run's queues and bus, beside anything else on the emulator.
      const prefix = `dlq-${randomBytes(3).toString('hex')}`;
      const clients = createAwsClients({ endpoint, region });
      const entities = awsEntities(topology, prefix);
      await applyTopology(clients, entities);
      const transport = createAwsTransport({ topology, config: { endpoint, region, prefix } });
      return {
        transport,
        env: { MESSAGING_TRANSPORT: 'aws', AWS_ENDPOINT_URL: endpoint, AWS_REGION: region, STITCH_PREFIX: prefix },
        quietMs: 3_000,
        teardown: async () => {
          await deleteTopology(clients, entities);
          destroyAwsClients(clients);
        },
      };
    },
  };
}

function never(): never {
  throw new Error('skipped');
}

const emailQueue: Source = { kind: 'queue', name: Services.email };
const emailEvents: Source = { kind: 'subscription', topic: 'events', name: Services.email };
const subscriptionOf = (service: string): Source => ({ kind: 'subscription', topic: 'events', name: service });

for (const fixture of [local, awsFixture()]) {
  const title = `npm run dlq on the ${fixture.name} transport`;
  if (fixture.skipReason) {
    process.stdout.write(`SKIPPED ${title}: ${fixture.skipReason}\n`);
    describe.skip(title, () => it('needs a reachable AWS API emulator', () => undefined));
    continue;
  }

  describe(title, () => {
    let running: Running;
    let transport: Transport;
    let command: { messageId: string; correlationId: string };
    let event: { messageId: string; correlationId: string };

    /** email-service as it would run with a handler that cannot do its work: it dead-letters what it gets at once. */
    async function failingEmailService(deadLettered: string, condition: () => Promise<boolean>): Promise<void> {
      const fail: MessageHandlerFn = async () => {
        throw new MessageRejectedError('the mail template is missing');
      };
      const consumer = new MessageConsumer({
        transport,
        catalogue: shopCatalogue,
        service: Services.email,
        instance: 'email-service-e2e',
        handlers: new Map([
          [SendEmail.type, fail],
          [UserSignedUp.type, fail],
        ]),
        logger: createLogger({ service: Services.email, instance: 'email-service-e2e' }, 'silent'),
        lockMs: 30_000,
      });
      await consumer.start();
      try {
        await until(`the failing consumer to dead-letter ${deadLettered}`, condition, { timeoutMs: 60_000, intervalMs: 100 });
      } finally {
        await consumer.stop();
      }
    }

    async function send(
      destination: Destination,
      type: string,
      kind: 'command' | 'event',
      data: unknown,
    ): Promise<{ messageId: string; correlationId: string }> {
      const envelope = createEnvelope({ type, kind, source: Services.storefront, data }, { correlationId: `corr-${randomUUID()}` });
      await transport.send(destination, [
        { messageId: envelope.id, type, correlationId: envelope.correlationId, body: JSON.stringify(envelope) },
      ]);
      return { messageId: envelope.id, correlationId: envelope.correlationId };
    }

    const sendEmail = () =>
      send({ kind: 'queue', name: Services.email }, SendEmail.type, 'command', {
        to: 'ada@example.com',
        template: 'welcome',
        params: { name: 'Ada' },
      });

    async function deadLetterIdOf(source: Source, messageId: string): Promise<string | undefined> {
      return (await transport.deadLetters.list(source)).find((dead) => dead.message.messageId === messageId)?.id;
    }

    /** Everything that arrives at a source within the quiet time after the last arrival; each is completed. */
    async function collect(source: Source): Promise<IncomingMessage[]> {
      const received: IncomingMessage[] = [];
      let last = Date.now();
      const receiver = await transport.receive(
        source,
        async (delivery) => {
          received.push(delivery.message);
          last = Date.now();
          await delivery.complete();
        },
        { concurrency: 4, lockMs: 30_000 },
      );
      const started = Date.now();
      while (Date.now() - Math.max(last, started) < running.quietMs) await sleep(100);
      await receiver.close();
      return received;
    }

    beforeAll(async () => {
      running = await fixture.start();
      transport = running.transport;
      await transport.start();
      command = await sendEmail();
      event = await send({ kind: 'topic', name: 'events' }, UserSignedUp.type, 'event', {
        userId: randomUUID(),
        email: 'ada@example.com',
        name: 'Ada',
      });
      await failingEmailService(
        'the command and the event',
        async () =>
          (await deadLetterIdOf(emailQueue, command.messageId)) !== undefined &&
          (await deadLetterIdOf(emailEvents, event.messageId)) !== undefined,
      );
    });

    afterAll(async () => {
      await transport?.close();
      await running?.teardown();
    });

    it('lists every queue and subscription with its dead letters, as text and as JSON', async () => {
      const json = await dlq(['list', '--json'], running.env, 'npm');
      expect(json).toMatchObject({ code: 0, stderr: '' });
      const listed = JSON.parse(json.stdout) as { source: Source; count: number; messages: Record<string, unknown>[] }[];
      expect(listed.map((entry) => entry.source)).toHaveLength(topology.queues.length + topology.topic.subscriptions.length);
      const counts = Object.fromEntries(listed.map((entry) => [`${entry.source.kind}:${entry.source.name}`, entry.count]));
      expect(counts).toMatchObject({
        'queue:email-service': 1,
        'subscription:email-service': 1,
        'queue:order-service': 0,
        'subscription:order-service': 0,
      });
      expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(2);
      const onSubscription = listed.find((entry) => entry.source.kind === 'subscription' && entry.source.name === Services.email);
      expect(onSubscription?.messages).toEqual([
        {
          id: await deadLetterIdOf(emailEvents, event.messageId),
          messageId: event.messageId,
          type: UserSignedUp.type,
          correlationId: event.correlationId,
          // The consumer's reason is the error; the description says where and when it gave up.
          reason: expect.stringContaining('the mail template is missing'),
          description: expect.stringContaining('attempt 1'),
          attempts: 1,
          deadLetteredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ]);

      const text = await dlq(['list', '--subscription', Services.email], running.env);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^subscription events\/email-service\s+1 dead letter$/m);
      expect(text.stdout).toContain(`message ${event.messageId}  correlation ${event.correlationId}`);
      expect(text.stdout).not.toContain('queue order-service');
    });

    it('shows one dead letter with its envelope', async () => {
      const id = await deadLetterIdOf(emailEvents, event.messageId);
      const shown = await dlq(['show', String(id), '--subscription', Services.email], running.env);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`dead letter ${id}`);
      expect(shown.stdout).toContain(`envelope:\n{\n  "id": "${event.messageId}",\n  "type": "${UserSignedUp.type}",`);
      expect(shown.stdout).toContain(`"correlationId": "${event.correlationId}"`);
    });

    it('refuses an unknown id or source in one line with a non-zero exit code', async () => {
      const unknownId = await dlq(['show', '987654321'], running.env);
      expect(unknownId).toEqual({ code: 1, stdout: '', stderr: 'dlq: no dead letter 987654321 in any queue or subscription' });
      const unknownSource = await dlq(['replay', '--all', '--source', 'shipping-service'], running.env);
      expect(unknownSource.code).toBe(1);
      expect(unknownSource.stderr).toMatch(/^dlq: no queue "shipping-service" in the catalogue \(queues: [a-z, -]+\)$/);
    });

    it('replays an event to the subscriber that failed it only, keeping its id and correlation', async () => {
      const id = await deadLetterIdOf(emailEvents, event.messageId);
      const replayed = await dlq(['replay', String(id)], running.env);
      expect(replayed).toEqual({
        code: 0,
        stdout: 'replayed 1 dead letter back to the source each failed at (subscription events/email-service: 1)',
        stderr: '',
      });

      expect(await transport.deadLetters.list(emailEvents)).toEqual([]);
      const again = await collect(emailEvents);
      expect(again.map(({ messageId, correlationId, type }) => ({ messageId, correlationId, type }))).toEqual([
        { messageId: event.messageId, correlationId: event.correlationId, type: UserSignedUp.type },
      ]);
      // The other subscribers still hold the one copy they got when it was published: no second one.
      for (const service of [Services.order, Services.notification]) {
        expect((await collect(subscriptionOf(service))).map((message) => message.messageId)).toEqual([event.messageId]);
      }
    });

    it('replays a command back to its queue with --all', async () => {
      const replayed = await dlq(['replay', '--all', '--source', Services.email, '--json'], running.env);
      expect(replayed.code).toBe(0);
      expect(JSON.parse(replayed.stdout)).toEqual({ replayed: 1, sources: [{ source: emailQueue, replayed: 1 }] });
      const back = await collect(emailQueue);
      expect(back.map(({ messageId, correlationId }) => ({ messageId, correlationId }))).toEqual([command]);
    });

    it('purges only with --yes when purging all', async () => {
      const another = await sendEmail();
      await failingEmailService('the other command', async () => (await deadLetterIdOf(emailQueue, another.messageId)) !== undefined);

      const refused = await dlq(['purge', '--all', '--source', Services.email], running.env);
      expect(refused).toEqual({
        code: 1,
        stdout: '',
        stderr: 'dlq: purge --all deletes every dead letter of queue email-service for good; add --yes to do it',
      });
      expect(await deadLetterIdOf(emailQueue, another.messageId)).toBeDefined();

      const purged = await dlq(['purge', '--all', '--yes', '--source', Services.email], running.env);
      expect(purged).toEqual({ code: 0, stdout: 'purged 1 dead letter (queue email-service: 1)', stderr: '' });
      const listed = JSON.parse((await dlq(['list', '--source', Services.email, '--json'], running.env)).stdout) as { count: number }[];
      expect(listed).toEqual([{ source: emailQueue, count: 0, messages: [] }]);
    });
  });
}
