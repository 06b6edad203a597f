/**
 * One consumer process of the Service Bus benchmark: either the real core consumer on the Service Bus transport
 * (`stitch`), or a bare loop on the SDK (`raw`) making the calls the transport makes: receiveMessages in peek-lock
 * mode, the handler, completeMessage.
 */
import { ServiceBusClient } from '@azure/service-bus';
import { benchCatalogue, consumeAsWorker, consumerOptions, serveConsumer, type ConsumerTally } from '@stitch/bench-testing';
import { createServiceBusTransport, sdkClientFactory } from '../src';

export interface ServiceBusConsumerOptions {
  readonly kind: 'stitch' | 'raw';
  readonly connectionString: string;
  readonly queue: string;
  readonly concurrency: number;
  readonly lockMs: number;
}

const options = consumerOptions<ServiceBusConsumerOptions>();

async function startStitch(tally: ConsumerTally): Promise<() => Promise<void>> {
  const transport = createServiceBusTransport({
    topology: benchCatalogue.topology(),
    client: sdkClientFactory({ kind: 'connectionString', connectionString: options.connectionString }),
    service: 'worker',
    lockDurationMs: options.lockMs,
  });
  await transport.start();
  return consumeAsWorker(transport, benchCatalogue, tally, options);
}

async function startRaw(tally: ConsumerTally): Promise<() => Promise<void>> {
  const client = new ServiceBusClient(options.connectionString);
  const receiver = client.createReceiver(options.queue, { receiveMode: 'peekLock' });
  let stopping = false;
  // The calls the transport's receiver makes: receive up to `concurrency`, run the handler, complete each.
  const loop = (async () => {
    while (!stopping) {
      const messages = await receiver.receiveMessages(options.concurrency, { maxWaitTimeInMs: 1_000 });
      await Promise.all(
        messages.map(async (message) => {
          const body = (typeof message.body === 'string' ? JSON.parse(message.body) : message.body) as { data?: { sentAt?: number } };
          tally.handled(Number(body?.data?.sentAt));
          await receiver.completeMessage(message);
        }),
      );
    }
  })();
  return async () => {
    stopping = true;
    await loop;
    await receiver.close();
    await client.close();
  };
}

void serveConsumer(options.kind === 'stitch' ? startStitch : startRaw);
