import { existsSync } from 'node:fs';
import { shopCatalogue } from '@stitch/contracts';
import { ConfigError, messagingConfig, type Transport } from '@stitch/messaging-core';
import { localTransportFile, shopTransports } from '@stitch/messaging-transports';
import { DlqError } from './desk';

/** Names this tool where a transport wants a service: it receives from nothing, so no service's entities are checked. */
const TOOL = 'dlq';

/**
 * The transport the services of this run use, from the same validated settings (MESSAGING_TRANSPORT,
 * STITCH_DATA_DIR, SERVICEBUS_*, AWS_* and STITCH_PREFIX), started.
 */
export async function openShopTransport(): Promise<Transport> {
  const config = messagingConfig();
  const factory = shopTransports[config.transport];
  if (!factory) throw new ConfigError(`MESSAGING_TRANSPORT=${config.transport} is not a transport of the shop`);
  if (config.transport === 'local') {
    // Starting the embedded transport creates its file: a mistyped folder would show an empty shop instead of an error.
    const file = localTransportFile(config.dataDir);
    if (!existsSync(file))
      throw new DlqError(`no embedded transport at ${file} (STITCH_DATA_DIR=${config.dataDir}): nothing has run with this data folder`);
  }
  const transport = factory({ topology: shopCatalogue.topology(), service: TOOL, instance: `${TOOL}-${process.pid}`, config, tool: true });
  try {
    await transport.start();
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw error;
  }
  return transport;
}
