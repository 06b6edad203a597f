import path from 'node:path';
import { LOCK_DURATION_SECONDS } from '@stitch/messaging-azure-service-bus';
import { conformanceCatalogue } from '../conformance-catalogue';
import { describeTransportConformance } from '../conformance-suite';
import { type AzureServiceBusParams, createTransport } from './azure-service-bus.transport-module';
import { containerRuntimeProblem, type RunningEmulator, startServiceBusEmulator } from './service-bus-emulator';

/**
 * The Service Bus transport against a real broker, wherever one is reachable: the namespace of
 * SERVICEBUS_CONNECTION_STRING (a cloud namespace or an emulator, provisioned with the conformance catalogue's
 * entities) when it is set; otherwise the emulator, started in containers for this run with a Config.json generated
 * from the conformance catalogue, when a container runtime answers. Without either the suite skips, saying why.
 */
const connectionString = process.env['SERVICEBUS_CONNECTION_STRING'];
const lockMs = LOCK_DURATION_SECONDS * 1_000;
const noRuntime = connectionString ? undefined : containerRuntimeProblem();
const transportModule = path.join(__dirname, 'azure-service-bus.transport-module.ts');
let emulator: RunningEmulator | undefined;

if (!connectionString && !noRuntime) {
  // Pulling the images and the emulator's first start can take minutes: once per file, not inside a test's timeout.
  beforeAll(async () => {
    emulator = await startServiceBusEmulator(conformanceCatalogue.topology());
  }, 600_000);
}

function target(): AzureServiceBusParams {
  if (connectionString) return { kind: 'broker', lockMs };
  if (!emulator) throw new Error('the Service Bus emulator did not start');
  return { kind: 'emulator', connectionString: emulator.connectionString, lockMs };
}

/** Tests share the broker's entities: empty them, dead letters included, before each. */
async function drain(params: AzureServiceBusParams): Promise<void> {
  const topology = conformanceCatalogue.topology();
  const transport = createTransport(topology, params);
  await transport.start();
  try {
    const sources = [
      ...topology.queues.map((q) => ({ kind: 'queue' as const, name: q.name })),
      ...topology.topic.subscriptions.map((s) => ({ kind: 'subscription' as const, topic: s.topic, name: s.name })),
    ];
    for (const source of sources) {
      const consumer = await transport.receive(source, (delivery) => delivery.complete(), {
        concurrency: 64,
        lockMs: transport.capabilities.minLockMs,
      });
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
  ...(noRuntime
    ? {
        skipReason:
          `no Service Bus reachable: set SERVICEBUS_CONNECTION_STRING (a namespace or emulator provisioned with the conformance catalogue's ` +
          `entities), or provide a container runtime to start the emulator (testcontainers: ${noRuntime}); the fake-broker suite still runs`,
      }
    : {}),
  transportModule,
  isolate: async (): Promise<AzureServiceBusParams> => {
    const params = target();
    await drain(params);
    return params;
  },
  cleanup: async () => emulator?.stop(),
});
