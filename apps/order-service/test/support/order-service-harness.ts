import type { INestApplication } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import type { MessageData, MessageDefinition } from '@stitch/messaging-catalogue';
import { MessageBus, toOutgoingMessage, TransportDispatcher, type Envelope, type FlowRecord } from '@stitch/messaging-core';
import { InMemoryTransport } from '@stitch/messaging-core/testing';
import { envelopeOf } from '@stitch/messaging-testing';
import { runService, serviceDatabaseName, withDatabase } from '@stitch/persistence';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { until } from '@stitch/waiting-testing';
import pg from 'pg';
import { OrderService } from '../../src/app.module';

/** Every queue and subscription the order service sends or publishes to, on the shop's topology. */
const OBSERVED = [
  { kind: 'queue', name: Services.inventory },
  { kind: 'queue', name: Services.payment },
  { kind: 'queue', name: Services.email },
  { kind: 'subscription', topic: 'events', name: Services.notification },
] as const;

export interface HarnessOptions {
  /** Replicas of the order service, competing for its queue and subscription on one database: 1 unless told. */
  readonly replicas?: number;
  /** Settings for every replica, over the harness's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** The in-memory transport's longest delay, as a cloud transport has one (SQS: 15 minutes). */
  readonly maxDelayMs?: number;
}

/**
 * The order service as it runs, on a PostgreSQL server of the test file's own, with an in-memory transport in
 * place of the shop's. The other services are stand-ins: buses that send and publish as they would, and
 * consumers that record what the order service sent them.
 */
export class OrderServiceHarness {
  /** Everything the order service sent or published, in the order it arrived. */
  readonly received: Envelope[] = [];
  readonly flow: FlowRecord[] = [];
  readonly storefront: MessageBus;
  readonly inventory: MessageBus;
  readonly payment: MessageBus;
  /** Sends what the order service sends itself (its expiry), as if its delay had run out now. */
  readonly orderService: MessageBus;

  private constructor(
    readonly transport: InMemoryTransport,
    readonly server: TestPostgres,
    readonly apps: readonly INestApplication[],
  ) {
    const bus = (service: string) =>
      new MessageBus({
        catalogue: shopCatalogue,
        service,
        dispatcher: new TransportDispatcher(transport),
        maxDelayMs: transport.capabilities.maxDelayMs,
      });
    this.storefront = bus(Services.storefront);
    this.inventory = bus(Services.inventory);
    this.payment = bus(Services.payment);
    this.orderService = bus(Services.order);
  }

  static async start(options: HarnessOptions = {}): Promise<OrderServiceHarness> {
    const transport = new InMemoryTransport(
      shopCatalogue.topology(),
      options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs },
    );
    const server = await startTestPostgres();
    // Short retries, so a message that waits on another is retried within the test's patience. Every setting a
    // test file may change is set here, as files share a worker's environment.
    Object.assign(process.env, {
      DATABASE_URL: server.url,
      MESSAGING_RETRY_BASE_MS: '50',
      MESSAGING_CONCURRENCY: '16',
      MESSAGING_FLOW: 'on',
      LOG_LEVEL: 'silent',
      PORT: '0',
      ORDER_TIMEOUT_MS: '600000',
      ...options.env,
    });

    const apps: INestApplication[] = [];
    try {
      for (let replica = 1; replica <= (options.replicas ?? 1); replica++) {
        process.env['INSTANCE_ID'] = `order-service-${replica}`;
        apps.push(await runService(OrderService, { transports: { local: () => transport }, defaultPort: 0 }));
      }
    } catch (error) {
      await Promise.all(apps.map((app) => app.close()));
      await server.stop();
      throw error;
    } finally {
      delete process.env['INSTANCE_ID'];
    }
    const harness = new OrderServiceHarness(transport, server, apps);
    await harness.observe();
    return harness;
  }

  /** The first replica. */
  get app(): INestApplication {
    const [first] = this.apps;
    if (!first) throw new Error('no replica started');
    return first;
  }

  async stop(): Promise<void> {
    for (const app of this.apps) await app.close();
    await this.server?.stop();
  }

  /** An HTTP request to the service. */
  async request(path: string): Promise<Response> {
    return fetch(`${await this.app.getUrl()}${path}`);
  }

  /** The data of every `definition` the order service sent or published that `match` accepts. */
  sent<D extends MessageDefinition>(definition: D, match: (data: MessageData<D>) => boolean = () => true): Array<MessageData<D>> {
    return this.received
      .filter((envelope) => envelope.source === Services.order && envelope.type === definition.type)
      .map((envelope) => envelope.data as MessageData<D>)
      .filter(match);
  }

  /**
   * Resolves once the order service has settled the message with this id `times` times with this outcome (a repeat
   * its inbox absorbed is a `duplicate`) and relayed what that caused, so a test can assert that something was not sent.
   */
  async settled(messageId: string, outcome: FlowRecord['outcome'] = 'handled', times = 1): Promise<void> {
    // Generous: a dead-lettering takes eight attempts with backoff, and CI runs this beside other suites.
    const settledTimes = () => this.flow.filter((record) => record.messageId === messageId && record.outcome === outcome).length;
    await until(`message ${messageId} ${outcome} ${times === 1 ? 'once' : `${times} times`}`, () => settledTimes() >= times, {
      timeoutMs: 40_000,
      state: () => `${settledTimes()} so far`,
    });
    await until('the outbox to empty', async () => (await this.query('SELECT 1 FROM stitch_outbox')).length === 0);
    // The stand-ins record a message before they complete it, so with their sources empty `received` holds it.
    await until("the stand-ins' sources to empty", async () =>
      (await Promise.all(OBSERVED.map((source) => this.transport.depth(source)))).every((depth) => depth === 0),
    );
  }

  /** Delivers a message again with its original id, as a transport may after a lost acknowledgement. */
  async redeliver(envelope: Envelope, to: 'queue' | 'topic'): Promise<void> {
    const destination = to === 'queue' ? { kind: 'queue' as const, name: Services.order } : { kind: 'topic' as const, name: 'events' };
    await this.transport.send(destination, [toOutgoingMessage(envelope)]);
  }

  /** A client of the order service's database of its own, as another process would hold one. */
  async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: withDatabase(this.server.url, serviceDatabaseName(Services.order)) });
    await client.connect();
    return client;
  }

  /** One row of the order table, read as another client would. */
  async orderRow(orderId: string): Promise<Record<string, unknown> | undefined> {
    return (await this.query('SELECT status, reason, stock_reserved, version FROM "order" WHERE id = $1', [orderId]))[0];
  }

  async query(sql: string, values: unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const client = await this.connect();
    try {
      return (await client.query(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  private async observe(): Promise<void> {
    for (const source of OBSERVED) {
      await this.transport.receive(
        source,
        async (delivery) => {
          this.received.push(envelopeOf(delivery.message.body));
          await delivery.complete();
        },
        { concurrency: 1, lockMs: 1_000 },
      );
    }
    await this.transport.flow.subscribe((record) => this.flow.push(JSON.parse(record) as FlowRecord));
  }
}
