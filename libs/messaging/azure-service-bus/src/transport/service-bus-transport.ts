import type { Topology } from '@stitch/messaging-catalogue';
import type {
  Closable,
  DeliveryHandler,
  Destination,
  OutgoingMessage,
  ReceiveOptions,
  Source,
  Transport,
  TransportCapabilities,
} from '@stitch/messaging-core';
import { ConfigError, StartupError, withStartupDeadline } from '@stitch/messaging-core';
import { FLOW_SUBSCRIPTION, FLOW_TTL_SECONDS, LOCK_DURATION_SECONDS, SHOP_MARKER_QUEUE } from '../entities';
import { Addresses, type Endpoint } from './addresses';
import type { SenderLike, ServiceBusClientFactory, ServiceBusClientLike } from './client';
import { ServiceBusConsumer } from './consumer';
import { ServiceBusDeadLetters } from './dead-letters';
import { ServiceBusFlow } from './flow';
import { STANDARD_MAX_MESSAGE_BYTES, toServiceBusMessage } from './mapping';
import { scheduleAll, sendInBatches } from './send';
import { redact } from './warn';
import { shopMarkerQueue } from './shop-marker';
import {
  brokerUnreachable,
  namespaceOfOtherShop,
  shopMarkerMissing,
  startupFailure,
  type FailedCheck,
  type ServiceBusTarget,
} from './startup-errors';

export interface ServiceBusTransportOptions {
  readonly topology: Topology;
  /** Makes the process's one client: the SDK's `ServiceBusClient` in an app, the fake in tests. */
  readonly client: ServiceBusClientFactory;
  /** The service this process runs: start() checks the entities it receives from. Unset: every entity. */
  readonly service?: string;
  /**
   * The provisioned `lockDuration` of the entities (default `LOCK_DURATION_SECONDS`): the broker, not the consumer,
   * sets how long a lock lasts, so this decides which consumer locks the transport accepts.
   */
  readonly lockDurationMs?: number;
  /** The tier's largest message: 256 KB on Standard (default), up to 100 MB on Premium. */
  readonly maxMessageBytes?: number;
  readonly flowTtlMs?: number;
  /** How long one receive call waits before asking again; tests shorten it. */
  readonly maxWaitMs?: number;
  /** How long start() waits for the broker before it gives up saying it cannot reach it (default 30 s). */
  readonly startTimeoutMs?: number;
  /** Where the client connects, for the lines a user reads (`serviceBusTarget(auth)`); default the client's namespace. */
  readonly target?: ServiceBusTarget;
  /**
   * The shop instance this process belongs to: start() peeks the namespace's marker (queue `stitch-shop`) and refuses
   * a namespace marked for another shop, or not marked (on the emulator, which cannot be provisioned with a message,
   * the first service marks it). Unset (tools, tests): the marker is not read.
   */
  readonly shopId?: string;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const CLOSE_AFTER_FAILURE_MS = 2_000;

/**
 * The shortest consumer lock the transport accepts, for entities locking messages for `lockDurationMs`. The lock a
 * consumer asks for cannot change the entity's: a message is held while its handler runs (renewed) and comes back
 * the entity's lock after its consumer died. That honours a request of `lockMs` when the message never comes back
 * sooner (`lockMs` <= the entity's lock) nor more than twice as late (`lockMs` >= half of it).
 */
export function minLockMsFor(lockDurationMs: number): number {
  return Math.ceil(lockDurationMs / 2);
}

/** Ten years: scheduling has no practical limit, but a `Date` does. */
const MAX_DELAY_MS = 10 * 365 * 24 * 3_600_000;

/**
 * The Transport port on Azure Service Bus: a queue per service for its commands, the `events` topic with one
 * subscription per subscribing service, the `flow` topic for flow records. Entities are provisioned beforehand
 * from the same catalogue; the transport only checks, at start, that those it needs are there.
 */
export class ServiceBusTransport implements Transport {
  readonly name = 'azure';
  readonly capabilities: TransportCapabilities;
  readonly deadLetters: ServiceBusDeadLetters;
  readonly flow: ServiceBusFlow;
  private readonly addresses: Addresses;
  private readonly senders = new Map<string, SenderLike>();
  private readonly consumers = new Set<ServiceBusConsumer>();
  private readonly maxMessageBytes: number;
  private readonly lockDurationMs: number;
  private clientInstance: ServiceBusClientLike | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ServiceBusTransportOptions) {
    this.addresses = new Addresses(options.topology);
    this.maxMessageBytes = options.maxMessageBytes ?? STANDARD_MAX_MESSAGE_BYTES;
    this.lockDurationMs = options.lockDurationMs ?? LOCK_DURATION_SECONDS * 1_000;
    this.capabilities = {
      minLockMs: minLockMsFor(this.lockDurationMs),
      // The broker's clock rules scheduled times and lock expiry; allow for skew against ours and its timer steps.
      timeGranularityMs: 1_000,
      maxDelayMs: MAX_DELAY_MS,
      deliversOnceWithoutFailures: true,
      flowPerReplica: false,
    };
    this.deadLetters = new ServiceBusDeadLetters(
      () => this.client(),
      this.addresses,
      (entity) => this.sender(entity),
    );
    this.flow = new ServiceBusFlow(
      () => this.client(),
      options.topology.flow.name,
      () => this.sender(options.topology.flow.name),
      options.flowTtlMs ?? FLOW_TTL_SECONDS * 1_000,
      this.maxMessageBytes,
    );
  }

  /**
   * Connects and checks, by opening them, the entities this process needs: a peek on each queue or subscription it
   * receives from, a link to each topic it publishes to. What a Data Sender/Receiver identity may do; nothing is
   * created. A failure is one `StartupError` saying what to do: start the broker (it cannot be reached, or does not
   * answer within `startTimeoutMs`), grant rights, or provision the entities it names.
   */
  async start(): Promise<void> {
    if (this.closing) throw new Error('Service Bus transport: closed');
    if (this.clientInstance) return;
    let client: ServiceBusClientLike;
    try {
      client = this.options.client();
    } catch (error) {
      // The SDK refuses a malformed connection string when the client is made; its words name no secret, but redact anyway.
      const setting = this.options.target?.setting ?? 'SERVICEBUS_CONNECTION_STRING';
      throw new ConfigError(
        `Invalid serviceBus configuration: ${setting}: ${redact(error instanceof Error ? error.message : String(error))}`,
        { cause: error },
      );
    }
    this.clientInstance = client;
    const target = this.options.target ?? {
      endpoint: `sb://${client.fullyQualifiedNamespace}`,
      emulator: false,
      setting: 'SERVICEBUS_CONNECTION_STRING',
    };
    const timeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const failed = await withStartupDeadline(
      this.checkEntities().then(async (failures) => (failures.length > 0 ? failures : this.checkShop(target))),
      timeoutMs,
      () => brokerUnreachable(target, `no answer within ${timeoutMs / 1_000} s, MESSAGING_START_TIMEOUT_MS`),
      () => this.close(),
    );
    if (failed instanceof Error || failed.length > 0) {
      // A broker that refused or lost the connection may not answer a close either.
      await Promise.race([this.close(), new Promise((resolve) => setTimeout(resolve, CLOSE_AFTER_FAILURE_MS).unref())]);
      throw failed instanceof Error ? failed : startupFailure(failed, target);
    }
  }

  /**
   * Whether the namespace is this shop's: its marker names this shop. Returns the failed check when the marker queue
   * cannot be read, the one-line error when the namespace is another shop's or unmarked, else nothing.
   */
  private async checkShop(target: ServiceBusTarget): Promise<FailedCheck[] | StartupError> {
    const { shopId } = this.options;
    if (!shopId) return [];
    const marker = shopMarkerQueue(this.client());
    const read = async () => {
      try {
        return { owner: await marker.read() };
      } catch (reason) {
        return { failed: [{ what: `queue ${SHOP_MARKER_QUEUE}`, reason }] };
      }
    };
    let found = await read();
    if (found.failed) return found.failed;
    if (found.owner === undefined && target.emulator) {
      await marker.write(shopId);
      found = await read();
      if (found.failed) return found.failed;
    }
    if (found.owner === undefined) return shopMarkerMissing(shopId, target);
    if (found.owner !== shopId) return namespaceOfOtherShop(found.owner, shopId, target);
    return [];
  }

  /** The same checks as at start, on the open connection: each entity this process uses answers a peek or a link. */
  async checkReady(): Promise<void> {
    const failed = await this.checkEntities();
    if (failed.length > 0) {
      throw new Error(
        failed.map(({ what, reason }) => `${what}: ${reason instanceof Error ? reason.message.split('\n')[0] : String(reason)}`).join('; '),
      );
    }
  }

  private async checkEntities(): Promise<FailedCheck[]> {
    const { topology, service } = this.options;
    const endpoints = service ? this.addresses.ofService(service, topology) : this.addresses.all();
    const checks: { what: string; check: () => Promise<unknown> }[] = [
      ...endpoints.map((endpoint) => ({ what: endpoint.label, check: () => this.peek(endpoint) })),
      ...[topology.topic.name, topology.flow.name].map((topic) => ({
        what: `topic ${topic}`,
        check: () => this.sender(topic).createMessageBatch(),
      })),
    ];
    if (!service) {
      checks.push({
        what: `subscription ${topology.flow.name}/${FLOW_SUBSCRIPTION}`,
        check: async () => {
          const receiver = this.client().createReceiver(topology.flow.name, FLOW_SUBSCRIPTION, { receiveMode: 'receiveAndDelete' });
          try {
            await receiver.peekMessages(1);
          } finally {
            await receiver.close();
          }
        },
      });
    }
    const results = await Promise.allSettled(checks.map(({ check }) => check()));
    return results.flatMap((result, i) =>
      result.status === 'rejected' ? [{ what: checks[i]?.what ?? 'an entity', reason: result.reason }] : [],
    );
  }

  async send(destination: Destination, messages: readonly OutgoingMessage[]): Promise<void> {
    const entity = this.addresses.to(destination);
    if (messages.length === 0) return;
    const now = Date.now();
    const immediate = messages.filter((m) => m.notBefore === undefined || m.notBefore <= now).map(toServiceBusMessage);
    const delayed = messages
      .filter((m) => m.notBefore !== undefined && m.notBefore > now)
      .map((m) => ({ message: toServiceBusMessage(m), at: m.notBefore ?? now }));
    const sender = this.sender(entity);
    if (immediate.length > 0) await sendInBatches(sender, immediate, this.maxMessageBytes);
    if (delayed.length > 0) await scheduleAll(sender, delayed, this.maxMessageBytes);
  }

  async receive(source: Source, handler: DeliveryHandler, options: ReceiveOptions): Promise<Closable> {
    if (this.closing) throw new Error('Service Bus transport: closing');
    const endpoint = this.addresses.of(source);
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`Service Bus transport: concurrency must be an integer >= 1, got ${options.concurrency}`);
    }
    if (!(options.lockMs >= this.capabilities.minLockMs)) {
      throw new Error(
        `Service Bus transport: a lock of ${options.lockMs} ms is shorter than the ${this.capabilities.minLockMs} ms it can honour: ` +
          `the entities lock messages for ${this.lockDurationMs} ms, which a consumer cannot shorten`,
      );
    }
    const consumer = new ServiceBusConsumer({
      receiver: endpoint.open(this.client(), { receiveMode: 'peekLock', skipParsingBodyAsJson: true }),
      retrySender: () => this.sender(endpoint.sendTo),
      target: endpoint.target,
      label: endpoint.label,
      maxDeliveryCount: endpoint.entity.maxDeliveryCount,
      handler,
      concurrency: options.concurrency,
      ...(options.gate ? { gate: options.gate } : {}),
      ...(this.options.maxWaitMs ? { maxWaitMs: this.options.maxWaitMs } : {}),
    });
    this.consumers.add(consumer);
    consumer.start();
    return {
      close: async () => {
        await consumer.close();
        this.consumers.delete(consumer);
      },
    };
  }

  /** Stops receiving, lets the handlers in hand finish and settle, then closes the links and the connection. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((consumer) => consumer.close()));
    this.consumers.clear();
    await Promise.allSettled([...this.senders.values()].map((sender) => sender.close()));
    this.senders.clear();
    const client = this.clientInstance;
    this.clientInstance = undefined;
    await client?.close();
  }

  private async peek(endpoint: Endpoint): Promise<void> {
    const receiver = endpoint.open(this.client(), { receiveMode: 'peekLock' });
    try {
      await receiver.peekMessages(1);
    } finally {
      await receiver.close();
    }
  }

  private sender(entity: string): SenderLike {
    let sender = this.senders.get(entity);
    if (!sender) {
      sender = this.client().createSender(entity);
      this.senders.set(entity, sender);
    }
    return sender;
  }

  private client(): ServiceBusClientLike {
    if (!this.clientInstance)
      throw new Error(this.closing ? 'Service Bus transport: closed' : 'Service Bus transport: start() was not called');
    return this.clientInstance;
  }
}

export function createServiceBusTransport(options: ServiceBusTransportOptions): ServiceBusTransport {
  return new ServiceBusTransport(options);
}
