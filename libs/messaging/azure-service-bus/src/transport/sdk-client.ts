import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import type { ServiceBusClientFactory } from './client';
import type { ServiceBusAuth } from './config';

/**
 * The production client: one `ServiceBusClient`, so one AMQP connection, per process (the emulator accepts only a
 * few). A connection string (the emulator's works), or a namespace with DefaultAzureCredential.
 */
export function sdkClientFactory(auth: ServiceBusAuth): ServiceBusClientFactory {
  return () =>
    auth.kind === 'connectionString'
      ? new ServiceBusClient(auth.connectionString)
      : new ServiceBusClient(auth.namespace, new DefaultAzureCredential());
}
