import path from 'node:path';
import { requireShopId, type StitchMessagingOptions, type TransportContext } from '@stitch/messaging-core';
import { awsConfig, createAwsTransport } from '@stitch/messaging-aws';
import { createServiceBusTransport, sdkClientFactory, serviceBusConfig, serviceBusTarget } from '@stitch/messaging-azure-service-bus';
import { createLocalTransport } from '@stitch/messaging-local';

/**
 * Every transport a Stitch app can run on, by `MESSAGING_TRANSPORT` value. Apps hand this to
 * StitchMessagingModule unchanged, so adding a transport here changes no service. Each one checks at start that its
 * topology belongs to this shop (STITCH_SHOP_ID): a service without a shop id does not start.
 */
export const shopTransports: StitchMessagingOptions['transports'] = {
  local: (context) =>
    createLocalTransport({ topology: context.topology, file: localTransportFile(context.config.dataDir), ...shopOf(context) }),
  azure: (context) => {
    const { topology, service, config } = context;
    const shop = shopOf(context);
    const { auth, maxMessageBytes } = serviceBusConfig();
    return createServiceBusTransport({
      topology,
      service,
      client: sdkClientFactory(auth),
      maxMessageBytes,
      target: serviceBusTarget(auth),
      startTimeoutMs: config.startTimeoutMs,
      ...shop,
    });
  },
  // Its settings (endpoint, region, name prefix) are read and validated only when an app runs on it.
  aws: (context) => {
    const shop = shopOf(context);
    const { topology, service, config, tool } = context;
    return createAwsTransport({
      topology,
      service,
      config: awsConfig(),
      startTimeoutMs: config.startTimeoutMs,
      ...shop,
      ...(tool ? { tool } : {}),
    });
  },
};

/** A service's shop id, which it cannot start without; a tool's only when it was given one. */
function shopOf({ config, tool }: TransportContext): { shopId?: string } {
  if (tool) return config.shopId ? { shopId: config.shopId } : {};
  return { shopId: requireShopId(config.shopId) };
}

/** The embedded transport's one file, shared by every process of a run that uses the same data folder. */
export function localTransportFile(dataDir: string): string {
  return path.resolve(dataDir, 'bus', 'bus.db');
}
