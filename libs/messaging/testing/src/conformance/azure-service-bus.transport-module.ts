import type { Topology } from '@stitch/messaging-catalogue';
import { createServiceBusTransport, sdkClientFactory } from '@stitch/messaging-azure-service-bus';
import { FakeServiceBusClient } from '@stitch/messaging-azure-service-bus/testing';

/**
 * A namespace of the fake broker, served by the test process; the emulator started for the run; or the real
 * namespace of SERVICEBUS_CONNECTION_STRING. `lockMs` is the entities' provisioned lock.
 */
export type AzureServiceBusParams =
  | { readonly kind: 'fake'; readonly url: string; readonly namespace: string; readonly lockMs: number }
  /** The emulator's connection string carries only its public development key. */
  | { readonly kind: 'emulator'; readonly connectionString: string; readonly lockMs: number }
  | { readonly kind: 'broker'; readonly lockMs: number };

/**
 * Loaded by the suite and by every consumer process. The test is the composition root: it picks the client. A
 * namespace's connection string stays in the environment the consumers inherit, never in their arguments.
 */
export function createTransport(topology: Topology, params: unknown) {
  const p = params as AzureServiceBusParams;
  const client =
    p.kind === 'fake'
      ? () => new FakeServiceBusClient(p.url, p.namespace)
      : sdkClientFactory({
          kind: 'connectionString',
          connectionString: p.kind === 'emulator' ? p.connectionString : (process.env['SERVICEBUS_CONNECTION_STRING'] ?? ''),
        });
  return createServiceBusTransport({ topology, client, lockDurationMs: p.lockMs, maxWaitMs: 2_000 });
}
