import type { ServiceBusClient, ServiceBusReceiver, ServiceBusReceiverOptions, ServiceBusSender } from '@azure/service-bus';

/**
 * The part of `@azure/service-bus` the transport uses, as the SDK's own types narrowed to the calls made. The real
 * `ServiceBusClient` satisfies it as it is; the test fake implements exactly this, so neither can drift from the SDK.
 */
export type SenderLike = Pick<ServiceBusSender, 'entityPath' | 'createMessageBatch' | 'sendMessages' | 'scheduleMessages' | 'close'>;

export type ReceiverLike = Pick<
  ServiceBusReceiver,
  | 'entityPath'
  | 'receiveMessages'
  | 'peekMessages'
  | 'completeMessage'
  | 'abandonMessage'
  | 'deadLetterMessage'
  | 'renewMessageLock'
  | 'close'
>;

export interface ServiceBusClientLike {
  readonly fullyQualifiedNamespace: string;
  createSender(queueOrTopicName: string): SenderLike;
  createReceiver(queueName: string, options?: ServiceBusReceiverOptions): ReceiverLike;
  createReceiver(topicName: string, subscriptionName: string, options?: ServiceBusReceiverOptions): ReceiverLike;
  close(): Promise<void>;
}

/** Checked at compile time: the SDK's client is a `ServiceBusClientLike`. */
export const sdkClientFits = (client: ServiceBusClient): ServiceBusClientLike => client;

/** Makes the one client of a process; the composition root picks the real SDK or, in tests, the fake. */
export type ServiceBusClientFactory = () => ServiceBusClientLike;
