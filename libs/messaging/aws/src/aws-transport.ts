import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { Topology } from '@stitch/messaging-catalogue';
import {
  describeSource,
  type Closable,
  type DeadLetterQueues,
  type DeliveryHandler,
  type Destination,
  type OutgoingMessage,
  type ReceiveOptions,
  type Source,
  type Transport,
  type TransportCapabilities,
  StartupError,
  withStartupDeadline,
} from '@stitch/messaging-core';
import { batchesOf, eventFailureRetryable, MAX_BATCH_ENTRIES, sendRetryingFailed } from './batches';
import { destroyAwsClients, type AwsClients } from './clients';
import { SqsDeadLetters } from './dead-letters';
import { awsEntities, EVENTBRIDGE_MAX_ENTRY_BYTES, SQS_MAX_DELAY_SECONDS, SQS_MAX_MESSAGE_BYTES, type AwsEntities } from './entities';
import { SqsFlowChannel } from './flow';
import { eventEntry, sqsEntry } from './mapping';
import { checkTopology, otherOwners, readShopMarkers } from './provision';
import { Receiver } from './receiver';
import { awsStartupFailure, awsUnreachable, shopMarkerMissing, topologyMissing, topologyOfOtherShop } from './startup-errors';

export interface AwsTransportOptions {
  readonly topology: Topology;
  /** Built at the composition root; the transport owns them from here and destroys them on close. */
  readonly clients: AwsClients;
  /** Put in front of every name (`<prefix>-order-service`) so several runs can share one account or emulator. */
  readonly prefix?: string;
  /** The service this process runs; start checks its rule. Unset: every rule. */
  readonly service?: string;
  /** Where warnings go (a lost lock, a failing receive); default stderr. */
  readonly warn?: (text: string) => void;
  /** The endpoint and region the clients use, for the lines a user reads when start() fails. */
  readonly endpoint?: string;
  readonly region?: string;
  /** How long start() waits for AWS before it gives up saying it cannot reach it (default 30 s). */
  readonly startTimeoutMs?: number;
  /**
   * The shop instance this process belongs to: start() refuses queues tagged `stitch:shop` for another shop, or not
   * tagged at all. Unset (tools, tests): the tags are not read.
   */
  readonly shopId?: string;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;

/** Visibility timeouts and delays are whole seconds. */
const SECOND_MS = 1_000;
/** EventBridge: "you can batch multiple entries into one request; the total entry size must be less than 256 KB". */
const PUT_EVENTS_MAX_BYTES = EVENTBRIDGE_MAX_ENTRY_BYTES;

/**
 * Commands on SQS, events on EventBridge: a command goes to the owner's queue `<svc>`; an event goes to the bus
 * `stitch`, whose rule per subscribing service delivers it to that service's queue `<svc>-events`. Receiving is
 * the same for both: SQS long polling, visibility as the lock, `ApproximateReceiveCount` as the attempt.
 */
export class AwsTransport implements Transport {
  readonly name = 'aws';
  readonly capabilities: TransportCapabilities = {
    minLockMs: SECOND_MS,
    timeGranularityMs: SECOND_MS,
    maxDelayMs: SQS_MAX_DELAY_SECONDS * SECOND_MS,
    // SQS standard queues deliver at least once: now and then twice, even when nothing fails.
    deliversOnceWithoutFailures: false,
    flowPerReplica: false,
  };
  readonly entities: AwsEntities;
  readonly deadLetters: DeadLetterQueues;
  readonly flow: SqsFlowChannel;
  private readonly receivers = new Set<Receiver>();
  private readonly warn: (text: string) => void;
  private urls: ReadonlyMap<string, string> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: AwsTransportOptions) {
    this.entities = awsEntities(options.topology, options.prefix ?? '');
    this.warn = options.warn ?? ((text) => process.stderr.write(`${text}\n`));
    this.deadLetters = new SqsDeadLetters(options.clients.sqs, this.entities, (queue) => this.urlOf(queue));
    this.flow = new SqsFlowChannel(options.clients.sqs, () => this.urlOf(this.entities.flowQueue), this.warn);
  }

  /**
   * Checks that the queues, the bus and this service's rule exist; it creates nothing (`topology:aws --apply` does).
   * A failure is one `StartupError`: AWS cannot be reached (or does not answer within `startTimeoutMs`), refused the
   * credentials, or lacks entities, named with the command that creates them.
   */
  async start(): Promise<void> {
    if (this.closing) throw new Error('AWS transport: closed');
    if (this.urls) return;
    const { endpoint, region } = this.options;
    const target = { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}), prefix: this.entities.prefix };
    const timeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const { urls, missing, markers } = await withStartupDeadline(
      this.checkAtStart(),
      timeoutMs,
      () => awsUnreachable(target, `no answer within ${timeoutMs / 1_000} s, MESSAGING_START_TIMEOUT_MS`),
      () => this.close(),
    ).catch((error: unknown) => {
      throw error instanceof StartupError ? error : awsStartupFailure(error, target);
    });
    if (missing.length > 0) throw topologyMissing(missing, target);
    const { shopId } = this.options;
    if (shopId && markers) {
      const owners = otherOwners(markers, shopId);
      if (owners.length > 0) throw topologyOfOtherShop(owners, shopId, target);
      const untagged = [...markers]
        .filter(([, owner]) => !owner)
        .map(([queue]) => queue)
        .sort();
      if (untagged.length > 0) throw shopMarkerMissing(untagged, shopId, target);
    }
    this.urls = urls;
  }

  /** The entities, and with a shop id the shop tag of every queue once they are all there. */
  private async checkAtStart() {
    const found = await checkTopology(this.options.clients, this.entities, this.options.service);
    if (!this.options.shopId || found.missing.length > 0) return { ...found, markers: undefined };
    return { ...found, markers: await readShopMarkers(this.options.clients, found.urls) };
  }

  /** The same reads as at start: this service's queues, the bus and its rules still exist and answer. */
  async checkReady(): Promise<void> {
    const { missing } = await checkTopology(this.options.clients, this.entities, this.options.service);
    if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}`);
  }

  async send(destination: Destination, messages: readonly OutgoingMessage[]): Promise<void> {
    if (destination.kind === 'topic') {
      if (destination.name !== this.options.topology.topic.name)
        throw new Error(`AWS transport: topic ${destination.name} is not in the topology`);
      return this.publish(messages);
    }
    const queueUrl = this.urlOf(this.entities.commandQueue(destination));
    if (messages.length === 0) return;
    const now = Date.now();
    // Every size is checked before anything is sent, so a message too large sends none of its batch.
    const entries = messages.map((message, index) => ({ ...sqsEntry(message, String(index), now), message }));
    for (const batch of batchesOf(entries, MAX_BATCH_ENTRIES, SQS_MAX_MESSAGE_BYTES)) {
      await sendRetryingFailed(
        `SendMessageBatch to ${destination.name}`,
        batch,
        async (pending) => {
          const result = await this.options.clients.sqs.send(
            new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending.map(toSqsEntry) }),
          );
          const index = new Map(pending.map((entry, i) => [entry.Id, i]));
          return (result.Failed ?? []).map((failure) => ({
            index: index.get(failure.Id) ?? 0,
            code: failure.Code ?? 'unknown',
            message: failure.Message ?? '',
            retryable: !failure.SenderFault,
          }));
        },
        (entry) => `message ${entry.message.messageId}`,
      );
    }
  }

  /** PutEvents, ten entries a call; after a partial failure only the entries that failed are sent again. */
  private async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    this.opened();
    const entries = messages.map((message) => ({ ...eventEntry(message, this.entities.bus), message }));
    for (const batch of batchesOf(entries, MAX_BATCH_ENTRIES, PUT_EVENTS_MAX_BYTES)) {
      await sendRetryingFailed(
        `PutEvents to ${this.entities.bus}`,
        batch,
        async (pending) => {
          const result = await this.options.clients.eventBridge.send(new PutEventsCommand({ Entries: pending.map(toEventEntry) }));
          if (!result.FailedEntryCount) return [];
          return (result.Entries ?? []).flatMap((entry, index) =>
            entry.ErrorCode
              ? [{ index, code: entry.ErrorCode, message: entry.ErrorMessage ?? '', retryable: eventFailureRetryable(entry.ErrorCode) }]
              : [],
          );
        },
        (entry) => `event ${entry.message.messageId} (${entry.message.type})`,
      );
    }
  }

  async receive(source: Source, handler: DeliveryHandler, options: ReceiveOptions): Promise<Closable> {
    if (this.closing) throw new Error('AWS transport: closing');
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`AWS transport: concurrency must be an integer >= 1, got ${options.concurrency}`);
    }
    const queues = this.entities.sourceQueues(source);
    const receiver = new Receiver({
      sqs: this.options.clients.sqs,
      queueUrl: this.urlOf(queues.queue),
      deadLetterQueueUrl: this.urlOf(queues.deadLetterQueue),
      label: describeSource(source),
      handler,
      concurrency: options.concurrency,
      lockMs: Math.max(this.capabilities.minLockMs, options.lockMs),
      ...(options.gate ? { gate: options.gate } : {}),
      warn: this.warn,
    });
    this.receivers.add(receiver);
    receiver.start();
    return {
      close: async () => {
        await receiver.close();
        this.receivers.delete(receiver);
      },
    };
  }

  /** Stops the receivers (waiting for the handlers in hand and their settles) and the flow readers, then the clients. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.all([...this.receivers].map((receiver) => receiver.close()));
    this.receivers.clear();
    await this.flow.close();
    destroyAwsClients(this.options.clients);
  }

  private opened(): ReadonlyMap<string, string> {
    if (!this.urls) throw new Error(this.closing ? 'AWS transport: closed' : 'AWS transport: start() was not called');
    return this.urls;
  }

  private urlOf(queue: string): string {
    const url = this.opened().get(queue);
    if (!url) throw new Error(`AWS transport: queue ${queue} was not found at start`);
    return url;
  }
}

function toSqsEntry(entry: SendMessageBatchRequestEntry): SendMessageBatchRequestEntry {
  const { Id, MessageBody, MessageAttributes, DelaySeconds } = entry;
  return { Id, MessageBody, MessageAttributes, ...(DelaySeconds !== undefined ? { DelaySeconds } : {}) };
}

function toEventEntry(entry: PutEventsRequestEntry): PutEventsRequestEntry {
  const { EventBusName, Source, DetailType, Detail } = entry;
  return { EventBusName, Source, DetailType, Detail };
}
