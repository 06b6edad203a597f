/**
 * The port every transport implements. It is shaped after the common ground of Service Bus (peek-lock,
 * DeliveryCount, scheduled messages, per-entity dead-letter sub-queues) and SQS (visibility timeout,
 * ApproximateReceiveCount, redrive to a DLQ): a delivery is locked for a while, settled exactly once by the
 * consumer, and counted on every delivery including those whose consumer died.
 */

/** What a transport can promise; tests and the core read these instead of assuming. */
export interface TransportCapabilities {
  /** The shortest lock (peek-lock) or lease the transport honours, in ms. */
  readonly minLockMs: number;
  /** How finely delays and locks are timed: a delayed message arrives no earlier than its time minus this. */
  readonly timeGranularityMs: number;
  /** The longest delay the transport schedules natively; the core re-defers longer delays on arrival. */
  readonly maxDelayMs: number;
  /** True when, without failures, each message is delivered once (SQS standard queues may deliver twice). */
  readonly deliversOnceWithoutFailures: boolean;
  /** True when every replica can have its own flow subscription and so sees every flow record. */
  readonly flowPerReplica: boolean;
}

/** Where a message is sent: the owner's command queue, or the event topic (fan-out by the transport). */
export type Destination = { readonly kind: 'queue'; readonly name: string } | { readonly kind: 'topic'; readonly name: string };

/** Where a message is received from: a command queue or one service's subscription on the topic. */
export type Source =
  { readonly kind: 'queue'; readonly name: string } | { readonly kind: 'subscription'; readonly topic: string; readonly name: string };

export function describeSource(source: Source): string {
  return source.kind === 'queue' ? `queue ${source.name}` : `subscription ${source.topic}/${source.name}`;
}

export interface OutgoingMessage {
  readonly messageId: string;
  /** The versioned message type; subscriptions filter on it (Service Bus `subject`, EventBridge `detail-type`). */
  readonly type: string;
  readonly correlationId: string;
  /** The serialized envelope. */
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Not delivered before this time (epoch ms). Callers keep it within `capabilities.maxDelayMs`. */
  readonly notBefore?: number;
}

export interface IncomingMessage {
  readonly messageId: string;
  readonly type: string;
  readonly correlationId: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly enqueuedAt: number;
}

/** One locked delivery. Exactly one of the three settle calls is made, after the handler has finished. */
export interface Delivery {
  readonly message: IncomingMessage;
  /** 1 on the first delivery; counts every delivery, also those whose consumer died holding the lock. */
  readonly attempt: number;
  /** Removes the message. */
  complete(): Promise<void>;
  /** Releases the message to be delivered again, to any consumer, no sooner than `delayMs` from now. */
  retryLater(delayMs: number): Promise<void>;
  /** Moves the message to its source's dead-letter queue with the reason. */
  deadLetter(reason: string, description: string): Promise<void>;
}

export interface ReceiveOptions {
  /** Deliveries handled at once by this consumer. */
  readonly concurrency: number;
  /** Lock (lease) length; the transport renews it while the handler runs. */
  readonly lockMs: number;
  /** While it is paused, fetch nothing new; keep renewing the locks of the deliveries in hand. */
  readonly gate?: ReceiveGate;
}

/**
 * Lets a consumer hold its receive loops: while paused, a transport fetches no new message; those already in hand
 * keep their locks (the transport renews them while their handler runs).
 */
export interface ReceiveGate {
  readonly paused: boolean;
  /** Resolves once the gate is not paused: at once when it is not paused now. */
  whenResumed(): Promise<void>;
}

/** A running consumer or subscription; `close` stops taking new messages and waits for those in hand. */
export interface Closable {
  close(): Promise<void>;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface DeadLetteredMessage {
  /** The transport's handle for this dead letter (sequence number, receipt). */
  readonly id: string;
  readonly message: IncomingMessage;
  readonly reason: string;
  readonly description: string;
  readonly deadLetteredAt: number;
  /** Deliveries made before it was dead-lettered. */
  readonly attempts: number;
}

/** Dead letters are kept per source, so a replayed event goes back to the subscriber that failed it only. */
export interface DeadLetterQueues {
  list(source: Source, options?: { readonly limit?: number }): Promise<DeadLetteredMessage[]>;
  peek(source: Source, id: string): Promise<DeadLetteredMessage | undefined>;
  /** Moves the given (or all) dead letters back to the source they failed at, keeping ids and bodies. */
  replay(source: Source, ids?: readonly string[]): Promise<number>;
  purge(source: Source, ids?: readonly string[]): Promise<number>;
}

/** The best-effort channel for flow records: short-lived, never retried, never dead-lettered. */
export interface FlowChannel {
  publish(records: readonly string[]): Promise<void>;
  subscribe(onRecord: (record: string) => void): Promise<Closable>;
}

export interface Transport {
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  /** Connects and checks the entities of the topology exist (the embedded transport creates them). */
  start(): Promise<void>;
  /**
   * Resolves when the broker answers and this service's entities still exist; rejects saying what is wrong. For
   * readiness probes: cheap, read-only. A transport without one is taken as ready while it runs.
   */
  checkReady?(): Promise<void>;
  send(destination: Destination, messages: readonly OutgoingMessage[]): Promise<void>;
  /**
   * Messages waiting at a queue or subscription (locked ones included), for the queue-depth gauge. Only where the
   * transport can tell with the rights a service has: the embedded one; SQS would need sqs:GetQueueAttributes and
   * Service Bus the Manage right, which the services' roles do not grant.
   */
  depth?(source: Source): Promise<number>;
  receive(source: Source, handler: DeliveryHandler, options: ReceiveOptions): Promise<Closable>;
  readonly deadLetters: DeadLetterQueues;
  readonly flow: FlowChannel;
  close(): Promise<void>;
}
