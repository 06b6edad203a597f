import type { ServiceBusClientFactory } from './client';
import type { ServiceBusAuth } from './config';

/**
 * The production client: one `ServiceBusClient`, so one AMQP connection, per process (the emulator accepts only a
 * few). A connection string (the emulator's works), or a namespace with DefaultAzureCredential.
 *
 * The SDK is loaded here, when a client is made, not when this lib is imported: it pulls in ESM-only modules that
 * every app would otherwise load (and its tests would need to be able to load) even when it runs on another transport.
 */
export function sdkClientFactory(auth: ServiceBusAuth): ServiceBusClientFactory {
  return () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { ServiceBusClient } = require('@azure/service-bus') as typeof import('@azure/service-bus');
    if (auth.kind === 'connectionString') return new ServiceBusClient(auth.connectionString);
    const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
    /* eslint-enable @typescript-eslint/no-require-imports */
    return new ServiceBusClient(auth.namespace, new DefaultAzureCredential());
  };
}
