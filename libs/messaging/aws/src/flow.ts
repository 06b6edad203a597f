import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Closable, FlowChannel } from '@stitch/messaging-core';
import { batchesOf, MAX_BATCH_ENTRIES } from './batches';
import { SQS_MAX_MESSAGE_BYTES } from './entities';

/**
 * The flow channel is one SQS queue, `flow`, with a one-minute retention and no redrive: records nobody reads
 * expire, a failed send is dropped by the caller, and one reader (one storefront replica) gets each record, as
 * SQS has no per-reader copies without SNS in front.
 */
export class SqsFlowChannel implements FlowChannel {
  private readonly subscriptions = new Set<Closable>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: () => string,
    private readonly warn: (text: string) => void,
  ) {}

  async publish(records: readonly string[]): Promise<void> {
    const entries = records.map((record, index) => ({ Id: String(index), MessageBody: record, bytes: Buffer.byteLength(record, 'utf8') }));
    for (const batch of batchesOf(entries, MAX_BATCH_ENTRIES, SQS_MAX_MESSAGE_BYTES)) {
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl(),
          Entries: batch.map(({ Id, MessageBody }, index) => ({ Id: `${index}-${Id}`, MessageBody })),
        }),
      );
      if (result.Failed?.length)
        throw new Error(`AWS transport: ${result.Failed.length} flow record(s) not sent: ${result.Failed[0]?.Code}`);
    }
  }

  async subscribe(onRecord: (record: string) => void): Promise<Closable> {
    const abort = new AbortController();
    let warned = false;
    const loop = (async () => {
      while (!abort.signal.aborted) {
        try {
          const { Messages = [] } = await this.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: this.queueUrl(),
              MaxNumberOfMessages: MAX_BATCH_ENTRIES,
              WaitTimeSeconds: 20,
              VisibilityTimeout: 30,
            }),
            { abortSignal: abort.signal },
          );
          for (const message of Messages) onRecord(message.Body ?? '');
          if (Messages.length > 0) {
            await this.sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: this.queueUrl(),
                Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
              }),
            );
          }
        } catch (error) {
          if (abort.signal.aborted) break;
          if (!warned) this.warn(`AWS transport (flow): could not read flow records: ${String(error)}; trying again`);
          warned = true;
          await sleep(1_000);
        }
      }
    })();
    const subscription: Closable = {
      close: async () => {
        abort.abort();
        await loop;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
  }
}
