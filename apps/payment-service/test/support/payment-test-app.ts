import { Module, type INestApplication, type Type } from '@nestjs/common';
import { EVENTS_TOPIC, Services, shopCatalogue, type CommandDefinition, type MessageData } from '@stitch/contracts';
import { bootstrapService, createEnvelope, InMemoryTransport, type Envelope, type FlowRecord } from '@stitch/messaging-core';
import { serviceDatabaseName, withDatabase } from '@stitch/persistence';
import pg from 'pg';
import { AppModule } from '../../src/app.module';

/** Settings for a service booted in a test: quick retries, quiet, any free port. Flow records tell when a message was settled. */
export function testEnvironment(databaseServerUrl: string): void {
  Object.assign(process.env, { DATABASE_URL: databaseServerUrl, MESSAGING_RETRY_BASE_MS: '10', MESSAGING_FLOW: 'on', LOG_LEVEL: 'silent', PORT: '0' });
}

/** The payment service as it runs, but on the given in-memory transport. */
export function startPayment(transport: InMemoryTransport): Promise<INestApplication> {
  @Module({ imports: [AppModule.forRoot({ transports: { local: () => transport } })] })
  class PaymentUnderTest {}
  return bootstrapService(PaymentUnderTest as Type, { defaultPort: 0 });
}

export function shopTransport(): InMemoryTransport {
  return new InMemoryTransport(shopCatalogue.topology());
}

/** Sends a command to its owner's queue as the order service would; `id` to repeat a message id. Returns the message id. */
export async function sendCommand<D extends CommandDefinition>(transport: InMemoryTransport, command: D, data: MessageData<D>, id?: string): Promise<string> {
  const envelope = { ...createEnvelope({ type: command.type, kind: 'command', source: Services.order, data }), ...(id ? { id } : {}) };
  await transport.send({ kind: 'queue', name: command.owner }, [
    { messageId: envelope.id, type: envelope.type, correlationId: envelope.correlationId, body: JSON.stringify(envelope) },
  ]);
  return envelope.id;
}

/** Every event the order service's subscription receives, as it arrives. */
export async function receivedByOrderService(transport: InMemoryTransport): Promise<Envelope[]> {
  const received: Envelope[] = [];
  await transport.receive(
    { kind: 'subscription', topic: EVENTS_TOPIC, name: Services.order },
    async (delivery) => {
      received.push(JSON.parse(delivery.message.body) as Envelope);
      await delivery.complete();
    },
    { concurrency: 1, lockMs: 1_000 },
  );
  return received;
}

/** The flow records of every message the service settles, as they arrive. */
export async function flowRecords(transport: InMemoryTransport): Promise<FlowRecord[]> {
  const records: FlowRecord[] = [];
  await transport.flow.subscribe((record) => records.push(JSON.parse(record) as FlowRecord));
  return records;
}

/** Runs SQL on the payment database, outside the service. */
export async function query<T extends pg.QueryResultRow>(serverUrl: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, serviceDatabaseName(Services.payment)) });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}
