import type { INestApplication } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import type { MessageData, MessageDefinition } from '@stitch/messaging-catalogue';
import { createEnvelope, toOutgoingMessage, type Envelope, type FlowRecord } from '@stitch/messaging-core';
import { InMemoryTransport } from '@stitch/messaging-core/testing';
import { envelopeOf } from '@stitch/messaging-testing';
import { runService, withDatabase } from '@stitch/persistence';
import { until } from '@stitch/waiting-testing';
import pg from 'pg';
import { EmailService } from '../../src/app.module';

/** The email service booted whole on an in-memory transport, with what it publishes recorded. */
export interface EmailServiceHarness {
  readonly app: INestApplication;
  readonly transport: InMemoryTransport;
  /** Every event envelope the service published (its outbox relay sends them to the topic); not those delivered to it. */
  readonly published: Envelope[];
  /** The flow record of every delivery the service settled: a repeat its inbox absorbed is a `duplicate`. */
  readonly flow: FlowRecord[];
  deliver<D extends MessageDefinition>(definition: D, data: MessageData<D>, envelopeId?: string): Promise<Envelope>;
  rows<T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]>;
  /**
   * Resolves once the service has settled the message with this id `times` times with this outcome and relayed what
   * those deliveries published, so a test can assert that a repeat sent nothing.
   */
  settled(messageId: string, outcome?: FlowRecord['outcome'], times?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startEmailService(env: Record<string, string>): Promise<EmailServiceHarness> {
  const transport = new InMemoryTransport(shopCatalogue.topology());
  const published: Envelope[] = [];
  const send = transport.send.bind(transport);
  // EmailSent has no subscribers, so no subscription would ever hold it: record it on its way to the topic.
  transport.send = async (destination, messages) => {
    if (destination.kind === 'topic') published.push(...messages.map((m) => envelopeOf(m.body)));
    await send(destination, messages);
  };

  const flow: FlowRecord[] = [];
  await transport.flow.subscribe((record) => flow.push(JSON.parse(record) as FlowRecord));

  Object.assign(process.env, { MESSAGING_RETRY_BASE_MS: '10', MESSAGING_FLOW: 'on', LOG_LEVEL: 'silent', PORT: '0', ...env });
  const app = await runService(EmailService, { transports: { local: () => transport }, defaultPort: 0 });
  const databaseUrl = withDatabase(env['DATABASE_URL'] ?? '', 'stitch_email');

  const rows = async <T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(sql, values)).rows;
    } finally {
      await client.end();
    }
  };

  return {
    app,
    transport,
    published,
    flow,
    async deliver(definition, data, envelopeId) {
      const kind = definition.kind;
      const created = createEnvelope({ type: definition.type, kind, source: kind === 'command' ? 'order-service' : 'storefront', data });
      const envelope = envelopeId ? { ...created, id: envelopeId } : created;
      const destination =
        kind === 'command' ? ({ kind: 'queue', name: definition.owner } as const) : ({ kind: 'topic', name: 'events' } as const);
      await send(destination, [toOutgoingMessage(envelope)]);
      return envelope;
    },
    rows,
    async settled(messageId, outcome = 'handled', times = 1) {
      const settledTimes = () => flow.filter((record) => record.messageId === messageId && record.outcome === outcome).length;
      await until(`message ${messageId} ${outcome} ${times === 1 ? 'once' : `${times} times`}`, () => settledTimes() >= times, {
        state: () => `${settledTimes()} so far`,
      });
      // An event is recorded in `published` before the relay deletes its row, so an empty outbox means it is there.
      await until('the outbox to empty', async () => (await rows('SELECT 1 FROM stitch_outbox')).length === 0);
    },
    close: () => app.close(),
  };
}
