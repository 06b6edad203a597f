import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { messagingConfig } from '@stitch/messaging-core';
import { localTransportFile, shopTransports } from './shop-transports';

describe('shopTransports', () => {
  it('puts the embedded transport in the data folder, so every process of a run shares it', () => {
    expect(localTransportFile('.data')).toBe(path.resolve('.data/bus/bus.db'));
  });

  it('starts the embedded transport on the shop topology', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-transports-'));
    const config = { ...messagingConfig(), dataDir };
    const transport = shopTransports.local!({ topology: shopCatalogue.topology(), service: 'order-service', instance: 'order-service-1', config });
    try {
      await transport.start();
      await transport.send({ kind: 'queue', name: 'order-service' }, []);
    } finally {
      await transport.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
