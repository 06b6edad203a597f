import path from 'node:path';
import { createServiceBusTransport, LOCK_DURATION_SECONDS, sdkClientFactory } from '@stitch/messaging-azure-service-bus';
import { conformanceCatalogue } from '../conformance-catalogue';
import { describeTransportConformance } from '../conformance-suite';
import type { AzureServiceBusParams } from './azure-service-bus.transport-module';

/**
 * The Service Bus transport against a real broker: the namespace of SERVICEBUS_CONNECTION_STRING (a cloud namespace,
 * or the emulator, provisioned with the conformance catalogue's entities). Without one the suite skips, saying why.
 */
const connectionString = process.env['SERVICEBUS_CONNECTION_STRING'];
const lockMs = LOCK_DURATION_SECONDS * 1_000;

/** Tests share the namespace's entities: empty them, dead letters included, before each. */
async function drain(): Promise<void> {
  const transport = createServiceBusTransport({ topology: conformanceCatalogue.topology(), client: sdkClientFactory({ kind: 'connectionString', connectionString: connectionString ?? '' }) });
  await transport.start();
  try {
    const topology = conformanceCatalogue.topology();
    const sources = [
      ...topology.queues.map((q) => ({ kind: 'queue' as const, name: q.name })),
      ...topology.topic.subscriptions.map((s) => ({ kind: 'subscription' as const, topic: s.topic, name: s.name })),
    ];
    for (const source of sources) {
      const consumer = await transport.receive(source, (delivery) => delivery.complete(), { concurrency: 64, lockMs });
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await consumer.close();
      await transport.deadLetters.purge(source);
    }
  } finally {
    await transport.close();
  }
}

describeTransportConformance({
  name: 'azure-service-bus (real broker)',
  ...(connectionString
    ? {}
    : {
        skipReason:
          'SERVICEBUS_CONNECTION_STRING is not set: no Service Bus namespace or emulator to run against (the fake-broker suite still runs)',
      }),
  transportModule: path.join(__dirname, 'azure-service-bus.transport-module.ts'),
  isolate: async (): Promise<AzureServiceBusParams> => {
    await drain();
    return { kind: 'broker', lockMs };
  },
});
