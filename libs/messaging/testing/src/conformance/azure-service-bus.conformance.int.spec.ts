import path from 'node:path';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { FakeServiceBusServer } from '@stitch/messaging-azure-service-bus/testing';
import { conformanceCatalogue } from '../conformance-catalogue';
import { describeTransportConformance } from '../conformance-suite';
import type { AzureServiceBusParams } from './azure-service-bus.transport-module';

/**
 * The Service Bus transport against the fake broker (in-memory Service Bus semantics behind HTTP on 127.0.0.1, so
 * consumer processes share it). Evidence about the adapter, not about Service Bus: see the lib's README.
 */
// Short, so the crash tests wait little, yet long enough that a consumer starved of CPU on a busy machine still
// settles a burst's messages inside their lock (at 2 s, a loaded run saw locks lapse and messages come twice).
const LOCK_MS = 4_000;
let server: FakeServiceBusServer | undefined;

describeTransportConformance({
  name: 'azure-service-bus (fake broker)',
  transportModule: path.join(__dirname, 'azure-service-bus.transport-module.ts'),
  isolate: async (testName): Promise<AzureServiceBusParams> => {
    server ??= await FakeServiceBusServer.start();
    server.createNamespace(testName, serviceBusEntities(conformanceCatalogue.topology()), { lockMs: LOCK_MS });
    return { kind: 'fake', url: server.url, namespace: testName, lockMs: LOCK_MS };
  },
  cleanup: async () => server?.close(),
});
