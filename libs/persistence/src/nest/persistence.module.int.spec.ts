import { Controller, Inject, Module, type INestApplication } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { MessageData } from '@stitch/messaging-catalogue';
import {
  bootstrapService,
  createEnvelope,
  HandleMessage,
  MessageBus,
  StitchMessagingModule,
  toOutgoingMessage,
  type FlowRecord,
} from '@stitch/messaging-core';
import { earlierEnvelopeBody, InMemoryTransport } from '@stitch/messaging-core/testing';
import { until } from '@stitch/waiting-testing';
import pg from 'pg';
import { PrismaClient } from '../../test/generated/prisma/client';
import { startTestPostgres, testMigrationsDir, testSchemaPath, type TestPostgres } from '../../test/support/test-postgres';
import { DoIt, Done, tinyCatalogue } from '../../test/support/tiny-catalogue';
import { Database } from '../database/database';
import { withDatabase } from '../postgres/database-url';
import { PersistenceModule } from './persistence.module';
import { INBOX, OUTBOX_DISPATCHER } from './persistence.tokens';

const transport = new InMemoryTransport(tinyCatalogue.topology());
const attempts: number[] = [];

@Controller()
class Handlers {
  constructor(
    @Inject(Database) private readonly db: Database<PrismaClient>,
    @Inject(MessageBus) private readonly bus: MessageBus,
  ) {}

  @HandleMessage(DoIt)
  async doIt(@Payload() data: MessageData<typeof DoIt>): Promise<void> {
    attempts.push(data.n);
    await this.db.client.note.create({ data: { id: `note-${data.n}`, text: 'done' } });
    await this.bus.publish(Done, { n: data.n });
    if (data.n === 13) throw new Error('unlucky');
  }
}

const persistence = PersistenceModule.forRoot({
  service: 'a',
  schemaPath: testSchemaPath,
  migrationsDir: testMigrationsDir,
  createClient: (adapter) => new PrismaClient({ adapter }),
  // Rows nobody handed over (the one written by hand below) are sent after a second.
  relay: { recheckMs: 50, handOffGraceMs: 1_000 },
});

@Module({
  imports: [
    StitchMessagingModule.forRoot({
      service: 'a',
      catalogue: tinyCatalogue,
      transports: { local: () => transport },
      imports: [persistence],
      dispatcher: OUTBOX_DISPATCHER,
      handlerWrapper: INBOX,
    }),
  ],
  controllers: [Handlers],
})
class ServiceA {}

let server: TestPostgres;
let app: INestApplication;
const published: number[] = [];
const flow: FlowRecord[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
  Object.assign(process.env, {
    DATABASE_URL: server.url,
    MESSAGING_RETRY_BASE_MS: '10',
    MESSAGING_FLOW: 'on',
    LOG_LEVEL: 'silent',
    PORT: '0',
  });
  await transport.flow.subscribe((record) => flow.push(JSON.parse(record) as FlowRecord));
  await transport.receive(
    { kind: 'subscription', topic: 'events', name: 'b' },
    async (delivery) => {
      published.push((JSON.parse(delivery.message.body) as { data: { n: number } }).data.n);
      await delivery.complete();
    },
    { concurrency: 1, lockMs: 1_000 },
  );
  app = await bootstrapService(ServiceA, { defaultPort: 0 });
});

afterAll(async () => {
  await app?.close();
  await server?.stop();
});

async function rows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: withDatabase(server.url, 'stitch_a') });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function sendDoIt(n: number, id?: string): Promise<void> {
  const envelope = { ...createEnvelope({ type: DoIt.type, kind: 'command', source: 'b', data: { n } }), ...(id ? { id } : {}) };
  return transport.send({ kind: 'queue', name: 'a' }, [toOutgoingMessage(envelope)]);
}

const outcomesOf = (messageId: string) => flow.filter((record) => record.messageId === messageId).map((record) => record.outcome);

describe('PersistenceModule', () => {
  it('creates and migrates the service database before the app starts', async () => {
    expect(await rows('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL')).toHaveLength(1);
  });

  it('commits a handler state change with its event, which the relay then publishes', async () => {
    await sendDoIt(1);
    await until('the event of message 1 published', () => published.includes(1));
    expect(await rows("SELECT id FROM note WHERE id = 'note-1'")).toHaveLength(1);
    await until('the outbox to empty', async () => (await rows('SELECT 1 FROM stitch_outbox')).length === 0);
  });

  it('keeps nothing of a handler that fails, on every attempt, and publishes nothing for it', async () => {
    await sendDoIt(13);
    await until('message 13 dead-lettered', async () => (await transport.deadLetters.list({ kind: 'queue', name: 'a' })).length === 1);
    expect(attempts.filter((n) => n === 13)).toHaveLength(3);
    expect(await rows("SELECT id FROM note WHERE id = 'note-13'")).toEqual([]);
    expect(published).not.toContain(13);
  });

  it('handles a redelivered message id once, and records the repeat as a duplicate, not as handled again', async () => {
    await sendDoIt(2, 'same-id');
    await until('the event of message 2 published', () => published.includes(2));
    await sendDoIt(3, 'same-id');
    await until('both deliveries of same-id on the flow channel', () => outcomesOf('same-id').length === 2);
    expect(outcomesOf('same-id')).toEqual(['handled', 'duplicate']);
    expect(attempts).not.toContain(3);
    expect(await rows("SELECT message_id FROM stitch_inbox WHERE message_id = 'same-id'")).toHaveLength(1);
  });

  it('relays and handles an outbox row of the earlier envelope shape, written before an upgrade', async () => {
    const envelope = createEnvelope({ type: DoIt.type, kind: 'command', source: 'b', data: { n: 4 } }, { correlationId: 'before-upgrade' });
    await rows(
      `INSERT INTO stitch_outbox (destination_kind, destination_name, message_id, type, correlation_id, body)
       VALUES ('queue', 'a', $1, $2, $3, $4)`,
      [envelope.id, DoIt.type, envelope.correlationId, earlierEnvelopeBody(envelope)],
    );
    await until('the earlier-shape row relayed and handled', () => outcomesOf(envelope.id).length === 1, { timeoutMs: 15_000 });
    expect(flow.find((record) => record.messageId === envelope.id)).toMatchObject({ outcome: 'handled', correlationId: 'before-upgrade' });
    expect(attempts).toContain(4);
    expect(await rows("SELECT id FROM note WHERE id = 'note-4'")).toHaveLength(1);
  });

  it("prepares the client's statements once per connection and reuses them", async () => {
    const db = app.get<Database<PrismaClient>>(Database);
    // One transaction is one connection; the session's prepared statements are that connection's.
    const prepared = await db.transaction(async () => {
      for (let n = 0; n < 3; n++) await db.client.note.findUnique({ where: { id: `note-${n}` } });
      return db.client.$queryRawUnsafe<Array<{ name: string; statement: string }>>('SELECT name, statement FROM pg_prepared_statements');
    });
    const noteReads = prepared.filter(({ statement }) => /^SELECT .* FROM "public"\."note"/s.test(statement));
    expect(noteReads).toEqual([{ name: expect.stringMatching(/^stitch_\d+$/), statement: expect.any(String) }]);
  });

  // Last: it stops the server.
  it('is ready while its database answers, not ready once it does not, and alive throughout', async () => {
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ info: { database: { status: 'up' }, transport: { status: 'up' } } });

    await server.stop();

    const notReady = await fetch(`${base}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({
      error: { database: { status: 'down', reason: expect.any(String) } },
      info: { transport: { status: 'up' } },
    });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });
});
