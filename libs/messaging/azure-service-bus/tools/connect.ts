import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusAdministrationClient, ServiceBusClient } from '@azure/service-bus';
import { shopMarkerQueue } from '../src/transport/shop-marker';
import { type NamespaceAdmin, namespaceAdmin } from '../src/topology/namespace';
import type { ConnectMarker, NamespaceTarget } from './topology-command';

/** The real namespace: a Manage connection string, or the namespace's host with the signed-in Azure identity. */
export function connectToNamespace(target: NamespaceTarget): NamespaceAdmin {
  return namespaceAdmin(
    target.kind === 'connection-string' ? new ServiceBusAdministrationClient(target.connectionString) : new ServiceBusAdministrationClient(target.host, new DefaultAzureCredential()),
  );
}

/** The namespace's shop marker, through a data-plane client with the same credentials (Manage includes Send and Listen). */
export const connectToMarker: ConnectMarker = (target) => {
  const client = target.kind === 'connection-string' ? new ServiceBusClient(target.connectionString) : new ServiceBusClient(target.host, new DefaultAzureCredential());
  return { ...shopMarkerQueue(client), close: () => client.close() };
};
