import type { Topology } from '@stitch/contracts';
import { createServiceBusTransport, sdkClientFactory } from '@stitch/messaging-azure-service-bus';
import { FakeServiceBusClient } from '@stitch/messaging-azure-service-bus/fake';

/** A namespace of the fake broker, served by the test process; or the real namespace of SERVICEBUS_CONNECTION_STRING. */
export type AzureServiceBusParams =
  | { readonly kind: 'fake'; readonly url: string; readonly namespace: string; readonly lockMs: number }
  | { readonly kind: 'broker'; readonly lockMs: number };

/**
 * Loaded by the suite and by every consumer process. The test is the composition root: it picks the client. The
 * connection string stays in the environment the consumers inherit, never in their arguments.
 */
export function createTransport(topology: Topology, params: unknown) {
  const p = params as AzureServiceBusParams;
  const client =
    p.kind === 'fake'
      ? () => new FakeServiceBusClient(p.url, p.namespace)
      : sdkClientFactory({ kind: 'connectionString', connectionString: process.env['SERVICEBUS_CONNECTION_STRING'] ?? '' });
  return createServiceBusTransport({ topology, client, lockDurationMs: p.lockMs, maxWaitMs: 2_000 });
}
