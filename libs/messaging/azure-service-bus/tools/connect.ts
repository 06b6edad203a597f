import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusAdministrationClient } from '@azure/service-bus';
import { type NamespaceAdmin, namespaceAdmin } from '../src/topology/namespace';
import type { NamespaceTarget } from './topology-command';

/** The real namespace: a Manage connection string, or the namespace's host with the signed-in Azure identity. */
export function connectToNamespace(target: NamespaceTarget): NamespaceAdmin {
  return namespaceAdmin(
    target.kind === 'connection-string' ? new ServiceBusAdministrationClient(target.connectionString) : new ServiceBusAdministrationClient(target.host, new DefaultAzureCredential()),
  );
}
