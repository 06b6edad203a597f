/**
 * One consumer process of the AWS benchmark: either the real core consumer on the AWS transport (`stitch`), or a bare
 * loop on the SDK (`raw`) making the calls the transport makes: ReceiveMessage (long poll, up to 10), the handler,
 * one DeleteMessageBatch.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { benchEventCatalogue, consumeAsWorker, consumerOptions, serveConsumer, type ConsumerTally } from '@stitch/bench-testing';
import { AwsTransport, createAwsClients, type AwsClientSettings } from '../src';

export interface AwsConsumerOptions {
  readonly kind: 'stitch' | 'raw';
  readonly clients: AwsClientSettings;
  /** The topology's prefix: each measurement has its own queues. */
  readonly prefix: string;
  /** The queue the raw loop reads; the core consumer reads every queue of `worker`. */
  readonly queueUrl: string;
  readonly concurrency: number;
  readonly lockMs: number;
}

const options = consumerOptions<AwsConsumerOptions>();

async function startStitch(tally: ConsumerTally): Promise<() => Promise<void>> {
  const transport = new AwsTransport({
    topology: benchEventCatalogue.topology(),
    clients: createAwsClients(options.clients),
    prefix: options.prefix,
    service: 'worker',
  });
  await transport.start();
  return consumeAsWorker(transport, benchEventCatalogue, tally, options);
}

/** An event arrives wrapped by EventBridge, its CloudEvent in `detail`; a command's body is the CloudEvent. */
function sentAtOf(body: string): number {
  const parsed = JSON.parse(body) as { detail?: { data: { sentAt: number } }; data?: { sentAt: number } };
  return (parsed.detail?.data ?? parsed.data)?.sentAt ?? NaN;
}

async function startRaw(tally: ConsumerTally): Promise<() => Promise<void>> {
  const { sqs, eventBridge } = createAwsClients(options.clients);
  eventBridge.destroy();
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      const { Messages = [] } = await sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: Math.min(20, Math.floor(options.lockMs / 2_000)),
            VisibilityTimeout: Math.ceil(options.lockMs / 1_000),
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
          { abortSignal: abort.signal },
        )
        .catch((error: unknown) => {
          if (abort.signal.aborted) return { Messages: [] };
          throw error;
        });
      if (Messages.length === 0) continue;
      for (const message of Messages) tally.handled(sentAtOf(message.Body ?? '{}'));
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
        }),
      );
    }
  })();
  return async () => {
    abort.abort();
    await loop;
    sqs.destroy();
  };
}

void serveConsumer(options.kind === 'stitch' ? startStitch : startRaw);
