import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusAdministrationClient, ServiceBusClient } from '@azure/service-bus';
import type { Catalogue } from '@stitch/messaging-catalogue';
import { shopMarkerQueue } from '../transport/shop-marker';
import { runTopologyCommand, type ConnectMarker, type NamespaceTarget } from './command';
import { type NamespaceAdmin, namespaceAdmin } from './namespace';

/** The real namespace: a Manage connection string, or the namespace's host with the signed-in Azure identity. */
export function connectToNamespace(target: NamespaceTarget): NamespaceAdmin {
  return namespaceAdmin(
    target.kind === 'connection-string'
      ? new ServiceBusAdministrationClient(target.connectionString)
      : new ServiceBusAdministrationClient(target.host, new DefaultAzureCredential()),
  );
}

/** The namespace's shop marker, through a data-plane client with the same credentials (Manage includes Send and Listen). */
export const connectToMarker: ConnectMarker = (target) => {
  const client =
    target.kind === 'connection-string'
      ? new ServiceBusClient(target.connectionString)
      : new ServiceBusClient(target.host, new DefaultAzureCredential());
  return { ...shopMarkerQueue(client), close: () => client.close() };
};

/**
 * `topology:azure` for a catalogue, on the real namespace, with this process's arguments and environment: a shop's
 * own entry point passes its catalogue and sets the exit code to what this resolves to.
 */
export function runTopologyTool(
  catalogue: Catalogue,
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const line = (write: (text: string) => void) => ({ line: write });
  return runTopologyCommand(catalogue, argv, env, line(console.log), line(console.error), connectToNamespace, connectToMarker);
}
