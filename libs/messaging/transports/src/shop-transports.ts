import path from 'node:path';
import type { StitchMessagingOptions } from '@stitch/messaging-core';
import { awsConfig, createAwsTransport } from '@stitch/messaging-aws';
import { createServiceBusTransport, sdkClientFactory, serviceBusConfig, serviceBusTarget } from '@stitch/messaging-azure-service-bus';
import { createLocalTransport } from '@stitch/messaging-local';

/**
 * Every transport a Stitch app can run on, by `MESSAGING_TRANSPORT` value. Apps hand this to
 * StitchMessagingModule unchanged, so adding a transport here changes no service.
 */
export const shopTransports: StitchMessagingOptions['transports'] = {
  local: ({ topology, config }) => createLocalTransport({ topology, file: localTransportFile(config.dataDir) }),
  azure: ({ topology, service, config }) => {
    const { auth, maxMessageBytes } = serviceBusConfig();
    return createServiceBusTransport({
      topology,
      service,
      client: sdkClientFactory(auth),
      maxMessageBytes,
      target: serviceBusTarget(auth),
      startTimeoutMs: config.startTimeoutMs,
    });
  },
  // Its settings (endpoint, region, name prefix) are read and validated only when an app runs on it.
  aws: ({ topology, service, config }) => createAwsTransport({ topology, service, config: awsConfig(), startTimeoutMs: config.startTimeoutMs }),
};

/** The embedded transport's one file, shared by every process of a run that uses the same data folder. */
export function localTransportFile(dataDir: string): string {
  return path.resolve(dataDir, 'bus', 'bus.db');
}
