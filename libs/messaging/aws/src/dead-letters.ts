import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetteredMessage, DeadLetterQueues, Source } from '@stitch/messaging-core';
import { MAX_BATCH_ENTRIES } from './batches';
import type { AwsEntities } from './entities';
import { replayAttributes, toDeadLetter } from './mapping';

/** How long dead letters stay hidden while one call looks at them; they come back by themselves after a crash. */
const HOLD_SECONDS = 30;
/** EventBridge's own dead letters for a rule are named apart from ours. */
const TARGET_ID_PREFIX = 'target:';

interface Held {
  readonly queueUrl: string;
  readonly message: Message;
  readonly deadLetter: DeadLetteredMessage;
}

/**
 * SQS cannot peek: reading a dead letter receives it. Each call here receives every dead letter of the source
 * (hiding them for a moment), does its work, and makes the rest visible again at once. So run one such call at a
 * time per source; two at once would each see only part of the queue.
 */
export class SqsDeadLetters implements DeadLetterQueues {
  constructor(
    private readonly sqs: SQSClient,
    private readonly entities: AwsEntities,
    private readonly urlOf: (queue: string) => string,
  ) {}

  async list(source: Source, options?: { readonly limit?: number }): Promise<DeadLetteredMessage[]> {
    const held = await this.hold(source);
    await this.release(held);
    const all = held.map((entry) => entry.deadLetter);
    return options?.limit === undefined ? all : all.slice(0, options.limit);
  }

  async peek(source: Source, id: string): Promise<DeadLetteredMessage | undefined> {
    return (await this.list(source)).find((deadLetter) => deadLetter.id === id);
  }

  /** Back to the queue the message failed at (a subscriber's own `-events` queue), with its body and attributes. */
  async replay(source: Source, ids?: readonly string[]): Promise<number> {
    const target = this.urlOf(this.entities.sourceQueues(source).queue);
    return this.take(source, ids, async (entry) => {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: target,
          MessageBody: entry.message.Body ?? '',
          MessageAttributes: replayAttributes(entry.message),
        }),
      );
    });
  }

  async purge(source: Source, ids?: readonly string[]): Promise<number> {
    return this.take(source, ids, async () => undefined);
  }

  /** Applies `act` to the chosen dead letters, then deletes them; a failure leaves the rest in place. */
  private async take(source: Source, ids: readonly string[] | undefined, act: (entry: Held) => Promise<void>): Promise<number> {
    const held = await this.hold(source);
    const wanted = ids === undefined ? undefined : new Set(ids);
    const chosen = held.filter((entry) => !wanted || wanted.has(entry.deadLetter.id));
    const done: Held[] = [];
    try {
      for (const entry of chosen) {
        await act(entry);
        done.push(entry);
      }
    } finally {
      await this.remove(done);
      await this.release(held.filter((entry) => !done.includes(entry)));
    }
    return done.length;
  }

  private async hold(source: Source): Promise<Held[]> {
    const queues = this.entities.sourceQueues(source);
    const [ours, eventBridge] = await Promise.all([
      this.receiveAll(this.urlOf(queues.deadLetterQueue), '', queues.maxReceiveCount),
      queues.targetDeadLetterQueue
        ? this.receiveAll(this.urlOf(queues.targetDeadLetterQueue), TARGET_ID_PREFIX, queues.maxReceiveCount)
        : [],
    ]);
    return [...ours, ...eventBridge].sort((a, b) => a.deadLetter.deadLetteredAt - b.deadLetter.deadLetteredAt);
  }

  /**
   * Receives until a receive comes back empty. The receives wait a second: a receive that does not wait asks only
   * some of SQS's servers and can come back empty while messages remain.
   */
  private async receiveAll(queueUrl: string, idPrefix: string, maxReceiveCount: number): Promise<Held[]> {
    const held = new Map<string, Held>();
    for (;;) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: MAX_BATCH_ENTRIES,
          WaitTimeSeconds: 1,
          VisibilityTimeout: HOLD_SECONDS,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        }),
      );
      const fresh = Messages.filter((message) => !held.has(message.MessageId ?? ''));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        const id = `${idPrefix}${message.MessageId ?? ''}`;
        held.set(message.MessageId ?? '', { queueUrl, message, deadLetter: toDeadLetter(message, id, maxReceiveCount) });
      }
    }
    return [...held.values()];
  }

  private async release(entries: readonly Held[]): Promise<void> {
    await this.perQueue(entries, async (queueUrl, batch) => {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((entry, index) => ({
            Id: String(index),
            ReceiptHandle: entry.message.ReceiptHandle ?? '',
            VisibilityTimeout: 0,
          })),
        }),
      );
    });
  }

  private async remove(entries: readonly Held[]): Promise<void> {
    await this.perQueue(entries, async (queueUrl, batch) => {
      const result = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.message.ReceiptHandle ?? '' })),
        }),
      );
      if (result.Failed?.length)
        throw new Error(`AWS transport: could not delete ${result.Failed.length} dead letter(s): ${result.Failed[0]?.Code}`);
    });
  }

  private async perQueue(entries: readonly Held[], call: (queueUrl: string, batch: readonly Held[]) => Promise<void>): Promise<void> {
    const byQueue = new Map<string, Held[]>();
    for (const entry of entries) byQueue.set(entry.queueUrl, [...(byQueue.get(entry.queueUrl) ?? []), entry]);
    for (const [queueUrl, queued] of byQueue) {
      for (let i = 0; i < queued.length; i += MAX_BATCH_ENTRIES) await call(queueUrl, queued.slice(i, i + MAX_BATCH_ENTRIES));
    }
  }
}
