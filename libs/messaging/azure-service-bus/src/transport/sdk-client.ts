import { ServiceBusClient } from '@azure/service-bus';
import type { ServiceBusClientFactory } from './client';
import type { ServiceBusAuth } from './config';

/**
 * The production client: one `ServiceBusClient`, so one AMQP connection, per process (the emulator accepts only a
 * few). A connection string (the emulator's works), or a namespace with DefaultAzureCredential, loaded only then:
 * `@azure/identity` pulls in ESM-only modules that a connection string never needs.
 */
export function sdkClientFactory(auth: ServiceBusAuth): ServiceBusClientFactory {
  return () => {
    if (auth.kind === 'connectionString') return new ServiceBusClient(auth.connectionString);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
    return new ServiceBusClient(auth.namespace, new DefaultAzureCredential());
  };
}
