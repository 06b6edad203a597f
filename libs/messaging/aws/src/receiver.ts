import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Closable, Delivery, DeliveryHandler, IncomingMessage, ReceiveGate } from '@stitch/messaging-core';
import { MAX_BATCH_ENTRIES } from './batches';
import { Deleter } from './deleter';
import { attemptOf, deadLetterAttributes, toIncoming } from './mapping';

/** SQS's longest visibility timeout and long-poll wait. */
const MAX_VISIBILITY_SECONDS = 43_200;
const MAX_WAIT_SECONDS = 20;
const RECEIVE_ERROR_PAUSE_MS = 1_000;

export interface ReceiverOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** Names the receiver in warnings: `queue order-service`. */
  readonly label: string;
  readonly handler: DeliveryHandler;
  readonly concurrency: number;
  readonly lockMs: number;
  readonly gate?: ReceiveGate;
  readonly warn: (text: string) => void;
}

/** Seconds, rounded up: SQS times visibility in whole seconds and a lock must not end early. */
export function visibilitySeconds(ms: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(ms / 1_000)));
}

/**
 * How long one receive waits for messages. Long polling, but never longer than half a lock: a receive still
 * waiting when its process dies (a crash, SIGKILL) goes on taking messages for nobody, and each of them is then
 * hidden for a whole visibility timeout and charged an attempt. Bounded this way, such a receive has ended
 * before the messages its process held come back.
 */
export function receiveWaitSeconds(lockMs: number): number {
  return Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.floor(lockMs / 2_000)));
}

/** What to do with a delivery whose handler has finished; the core settles, this covers what it did not. */
export function afterHandler(settled: boolean, threw: boolean): 'nothing' | 'release' | 'leave-locked' {
  if (settled) return 'nothing';
  return threw ? 'release' : 'leave-locked';
}

type Settle = () => Promise<void>;

class SqsDelivery implements Delivery {
  readonly message: IncomingMessage;
  readonly attempt: number;
  settled: Promise<void> | undefined;

  constructor(
    readonly raw: Message,
    private readonly actions: {
      complete: Settle;
      retryLater: (delayMs: number) => Promise<void>;
      deadLetter: (reason: string, description: string) => Promise<void>;
    },
  ) {
    this.message = toIncoming(raw);
    this.attempt = attemptOf(raw);
  }

  get receipt(): string {
    return this.raw.ReceiptHandle ?? '';
  }

  complete(): Promise<void> {
    return this.once(() => this.actions.complete());
  }

  retryLater(delayMs: number): Promise<void> {
    return this.once(() => this.actions.retryLater(delayMs));
  }

  deadLetter(reason: string, description: string): Promise<void> {
    return this.once(() => this.actions.deadLetter(reason, description));
  }

  private async once(settle: Settle): Promise<void> {
    if (this.settled) throw new Error(`AWS transport: message ${this.message.messageId} was already settled`);
    this.settled = settle();
    await this.settled;
  }
}

/**
 * One consumer on one SQS queue: long-polls for as many messages as it has room for (at most 10 a call), hands
 * each to the handler without waiting for the others, extends the visibility of those in hand every third of
 * the lock, and settles: delete (batched), visibility change for a retry, or a copy to the dead-letter queue.
 */
export class Receiver implements Closable {
  private readonly inFlight = new Set<SqsDelivery>();
  private readonly deleter: Deleter;
  private readonly lockSeconds: number;
  private readonly warned = new Set<string>();
  private closing = false;
  private polling: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private closed: Promise<void> | undefined;
  private slotFreed: (() => void) | undefined;
  private drained: (() => void) | undefined;
  private renewal: NodeJS.Timeout | undefined;

  constructor(private readonly options: ReceiverOptions) {
    this.deleter = new Deleter(options.sqs, options.queueUrl);
    this.lockSeconds = Math.max(1, visibilitySeconds(options.lockMs));
  }

  start(): void {
    this.loop = this.run();
  }

  /** Stops receiving (an unanswered long poll is abandoned), then waits for the handlers in hand and their settles. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    this.polling?.abort();
    this.slotFreed?.();
    await this.loop;
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.stopRenewing();
    await this.deleter.flush();
  }

  private async run(): Promise<void> {
    const { sqs, queueUrl, concurrency } = this.options;
    while (!this.closing) {
      const room = concurrency - this.inFlight.size;
      const { gate } = this.options;
      if (room <= 0 || gate?.paused) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
          if (gate?.paused) void gate.whenResumed().then(resolve);
        });
        continue;
      }
      this.polling = new AbortController();
      let messages: Message[];
      try {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(MAX_BATCH_ENTRIES, room),
            WaitTimeSeconds: receiveWaitSeconds(this.options.lockMs),
            VisibilityTimeout: this.lockSeconds,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
          { abortSignal: this.polling.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        // Closing aborts the poll. A message SQS handed to an abandoned poll stays hidden for one visibility
        // timeout, then comes back with one more receive counted.
        if (this.closing) break;
        this.warnOnce('receive', `could not receive: ${String(error)}; trying again`);
        await sleep(RECEIVE_ERROR_PAUSE_MS);
        continue;
      }
      for (const message of messages) this.dispatch(message);
    }
  }

  private dispatch(message: Message): void {
    const { sqs, queueUrl, deadLetterQueueUrl } = this.options;
    const receipt = message.ReceiptHandle ?? '';
    const delivery: SqsDelivery = new SqsDelivery(message, {
      complete: () => this.deleter.delete(receipt),
      retryLater: async (delayMs) => {
        // The receive count stays: the next receive counts the next attempt.
        await sqs.send(
          new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receipt, VisibilityTimeout: visibilitySeconds(delayMs) }),
        );
      },
      deadLetter: async (reason, description) => {
        // Not atomic: if the delete fails after the send, the message is delivered again and may be dead-lettered
        // a second time, so the dead-letter queue can hold a duplicate.
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: deadLetterQueueUrl,
            MessageBody: message.Body ?? '',
            MessageAttributes: deadLetterAttributes(message, reason, description, delivery.attempt, Date.now()),
          }),
        );
        await this.deleter.delete(receipt);
      },
    });
    this.inFlight.add(delivery);
    this.startRenewing();
    void this.handle(delivery);
  }

  private async handle(delivery: SqsDelivery): Promise<void> {
    let threw = false;
    try {
      await this.options.handler(delivery);
    } catch (error) {
      threw = true;
      if (!delivery.settled)
        this.warnOnce('failed', `a handler failed without settling; its message is released for redelivery: ${String(error)}`);
    }
    const next = afterHandler(delivery.settled !== undefined, threw);
    if (next === 'release') {
      await this.options.sqs
        .send(
          new ChangeMessageVisibilityCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: delivery.receipt, VisibilityTimeout: 0 }),
        )
        .catch(() => undefined);
    } else if (next === 'leave-locked') {
      this.warnOnce('unsettled', 'a handler returned without settling; its message comes back when its visibility timeout ends');
    }
    // A settle that failed leaves the message to come back when its visibility ends; the core has logged it.
    await delivery.settled?.catch(() => undefined);
    this.inFlight.delete(delivery);
    if (this.inFlight.size === 0) {
      this.stopRenewing();
      this.drained?.();
    }
    this.slotFreed?.();
    this.slotFreed = undefined;
  }

  private startRenewing(): void {
    // Every third of the lock: two extensions can fail (a slow call, a GC pause) before the message is lost.
    this.renewal ??= setInterval(() => void this.renew(), Math.max(300, Math.floor(this.options.lockMs / 3)));
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }

  private async renew(): Promise<void> {
    const held = [...this.inFlight].filter((delivery) => !delivery.settled);
    for (let i = 0; i < held.length; i += MAX_BATCH_ENTRIES) {
      const batch = held.slice(i, i + MAX_BATCH_ENTRIES);
      try {
        const result = await this.options.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: batch.map((delivery, index) => ({
              Id: String(index),
              ReceiptHandle: delivery.receipt,
              VisibilityTimeout: this.lockSeconds,
            })),
          }),
        );
        // Settled meanwhile (deleted) is expected; anything else means the lock may lapse.
        const lost = (result.Failed ?? []).filter((failure) => batch[Number(failure.Id)]?.settled === undefined);
        if (lost.length > 0)
          this.warnOnce(
            'renew-lost',
            `could not extend the visibility of ${lost.length} message(s): ${lost[0]?.Code} ${lost[0]?.Message ?? ''}`,
          );
      } catch (error) {
        this.warnOnce('renew', `could not extend visibility timeouts: ${String(error)}`);
      }
    }
  }

  private warnOnce(kind: string, text: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.options.warn(`AWS transport (${this.options.label}): ${text}`);
  }
}
