import { DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_BATCH_ENTRIES } from './batches';

interface Pending {
  readonly receipt: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Deletes of one event-loop turn go out together, ten to a `DeleteMessageBatch`: a batch received together tends
 * to finish together, and one call instead of ten is both faster and cheaper.
 */
export class Deleter {
  private pending: Pending[] = [];
  private scheduled: Promise<void> | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  delete(receipt: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ receipt, resolve, reject });
      this.scheduled ??= new Promise<void>((wake) => setImmediate(wake)).then(() => this.flush());
    });
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = undefined;
    const calls: Promise<void>[] = [];
    for (let i = 0; i < batch.length; i += MAX_BATCH_ENTRIES) calls.push(this.send(batch.slice(i, i + MAX_BATCH_ENTRIES)));
    await Promise.all(calls);
  }

  private async send(batch: readonly Pending[]): Promise<void> {
    try {
      const result = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.receipt })),
        }),
      );
      const failed = new Map((result.Failed ?? []).map((failure) => [Number(failure.Id), failure]));
      batch.forEach((entry, index) => {
        const failure = failed.get(index);
        if (failure) entry.reject(new Error(`AWS transport: delete failed: ${failure.Code} ${failure.Message ?? ''}`));
        else entry.resolve();
      });
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      for (const entry of batch) entry.reject(reason);
    }
  }
}
