import type { Topology } from '@stitch/messaging-catalogue';
import type {
  Closable,
  DeadLetterQueues,
  DeliveryHandler,
  Destination,
  FlowChannel,
  OutgoingMessage,
  ReceiveOptions,
  Source,
  Transport,
  TransportCapabilities,
} from '@stitch/messaging-core';
import { Addresses } from './addresses';
import { Consumer } from './consumer';
import { DeadLetterStore } from './dead-letters';
import { FlowLog } from './flow';
import { MessageStore } from './messages';
import { applySchema } from './schema';
import { Settlements } from './settlements';
import { Database } from './sqlite';
import { WakeHub } from './wake';

export interface LocalTransportOptions {
  readonly topology: Topology;
  /** The SQLite file every process of the system shares, e.g. `.data/bus/bus.db`; its folder is created. */
  readonly file: string;
  /**
   * The shop instance this process belongs to: the first process to open the file marks it with this id, and a
   * process of another shop is refused at start. Unset (tools, tests): the marker is neither written nor checked.
   */
  readonly shopId?: string;
  /** The longest `notBefore` delay accepted; tests set it small to exercise the core's re-deferral. */
  readonly maxDelayMs?: number;
  /** How long flow records are kept for subscribers that fall behind. */
  readonly flowTtlMs?: number;
}

/** Leases shorter than this are lengthened: renewing every third of a shorter lease is at the mercy of GC pauses. */
const MIN_LOCK_MS = 100;

interface Open {
  readonly db: Database;
  readonly hub: WakeHub;
  readonly messages: MessageStore;
  readonly settlements: Settlements;
  readonly deadLetters: DeadLetterStore;
  readonly flow: FlowLog;
}

/**
 * The embedded transport: queues, the event topic, dead letters and the flow channel in one SQLite file that all
 * processes of the system share. For development, tests and the workshop; production uses Service Bus or SQS.
 */
export class LocalTransport implements Transport {
  readonly name = 'local';
  readonly capabilities: TransportCapabilities;
  readonly deadLetters: DeadLetterQueues;
  readonly flow: FlowChannel;
  private readonly addresses: Addresses;
  private readonly consumers = new Set<Consumer>();
  private open: Open | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: LocalTransportOptions) {
    this.addresses = new Addresses(options.topology);
    this.capabilities = {
      minLockMs: MIN_LOCK_MS,
      // Nothing is delivered before its time; timers may fire a few ms late.
      timeGranularityMs: 10,
      maxDelayMs: options.maxDelayMs ?? Number.MAX_SAFE_INTEGER,
      deliversOnceWithoutFailures: true,
      flowPerReplica: true,
    };
    this.deadLetters = {
      list: async (source, options) => this.opened().deadLetters.list(this.addresses.of(source), options?.limit),
      peek: async (source, id) => this.opened().deadLetters.peek(this.addresses.of(source), id),
      replay: async (source, ids) => {
        const open = this.opened();
        const address = this.addresses.of(source);
        const replayed = open.deadLetters.replay(address, ids, Date.now());
        open.hub.notify([address]);
        return replayed;
      },
      purge: async (source, ids) => this.opened().deadLetters.purge(this.addresses.of(source), ids),
    };
    this.flow = {
      publish: async (records) => this.opened().flow.publish(records),
      subscribe: async (onRecord) => this.opened().flow.subscribe(onRecord),
    };
  }

  /** Creates the file, tables, queues, subscriptions and filter rules; safe when several processes start at once. */
  async start(): Promise<void> {
    if (this.closing) throw new Error('Local transport: closed');
    if (this.open) return;
    const db = Database.open(this.options.file);
    try {
      applySchema(db, this.options.topology, this.options.shopId ? { id: this.options.shopId, file: this.options.file } : undefined);
      const hub = new WakeHub(this.options.file);
      const messages = new MessageStore(db);
      this.open = {
        db,
        hub,
        messages,
        settlements: new Settlements(messages, (addresses) => hub.notify(addresses)),
        deadLetters: new DeadLetterStore(db),
        flow: new FlowLog(db, hub, this.options.flowTtlMs ?? 60_000),
      };
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** The bus file is open and answers a read; the file cannot lose its queues while it is open. */
  async checkReady(): Promise<void> {
    this.opened().db.prepare('SELECT count(*) FROM sqlite_master').get();
  }

  async depth(source: Source): Promise<number> {
    return this.opened().messages.depth(this.addresses.of(source));
  }

  /** All messages in one transaction. On the topic, an event nobody subscribes to is dropped, as on any pub/sub. */
  async send(destination: Destination, messages: readonly OutgoingMessage[]): Promise<void> {
    const open = this.opened();
    const target = this.addresses.to(destination);
    if (messages.length === 0) return;
    const now = Date.now();
    const latest = now + this.capabilities.maxDelayMs;
    for (const message of messages) {
      if (message.notBefore !== undefined && message.notBefore > latest) {
        throw new Error(
          `Local transport: message ${message.messageId} is delayed until ${new Date(message.notBefore).toISOString()}, ` +
            `beyond the ${this.capabilities.maxDelayMs} ms the transport schedules`,
        );
      }
    }
    if (destination.kind === 'queue') {
      open.messages.enqueue(target, messages, now);
      open.hub.notify([target]);
    } else {
      open.messages.publish(target, messages, now);
      open.hub.notify(this.addresses.subscribersOf(messages.map((message) => message.type)));
    }
  }

  async receive(source: Source, handler: DeliveryHandler, options: ReceiveOptions): Promise<Closable> {
    const open = this.opened();
    if (this.closing) throw new Error('Local transport: closing');
    const address = this.addresses.of(source);
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`Local transport: concurrency must be an integer >= 1, got ${options.concurrency}`);
    }
    const consumer = new Consumer(open.messages, open.settlements, open.hub, {
      address,
      label: source.kind === 'queue' ? `queue ${source.name}` : `subscription ${address}`,
      maxDeliveryCount: open.messages.maxDeliveryCount(address),
      handler,
      concurrency: options.concurrency,
      lockMs: Math.max(MIN_LOCK_MS, options.lockMs),
      ...(options.gate ? { gate: options.gate } : {}),
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

  /** Stops the consumers (waiting for the handlers in progress), then the flow subscriptions, watcher and file. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // Handlers still running may send and settle, so the database stays open until they are done.
    await Promise.all([...this.consumers].map((consumer) => consumer.close()));
    this.consumers.clear();
    const open = this.open;
    this.open = undefined;
    if (!open) return;
    open.flow.close();
    open.settlements.flush();
    open.hub.close();
    await open.db.close();
  }

  private opened(): Open {
    if (!this.open) throw new Error(this.closing ? 'Local transport: closed' : 'Local transport: start() was not called');
    return this.open;
  }
}
