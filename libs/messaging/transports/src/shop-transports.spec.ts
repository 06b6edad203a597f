import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { messagingConfig } from '@stitch/messaging-core';
import type { AwsTransport } from '@stitch/messaging-aws';
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

describe('shopTransports.aws', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('builds the AWS transport on the shop topology, with the prefix from STITCH_PREFIX', async () => {
    process.env = { ...saved, AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_REGION: 'eu-west-1', STITCH_PREFIX: 'unit' };
    const transport = shopTransports.aws!({ topology: shopCatalogue.topology(), service: 'email-service', instance: 'email-service-1', config: messagingConfig() });
    try {
      expect(transport.name).toBe('aws');
      expect((transport as AwsTransport).entities.commandQueue({ kind: 'queue', name: 'email-service' })).toBe('unit-email-service');
    } finally {
      await transport.close();
    }
  });

  it('stops with one line naming a bad setting', () => {
    process.env = { ...saved, STITCH_PREFIX: 'no spaces' };
    expect(() => shopTransports.aws!({ topology: shopCatalogue.topology(), service: 'email-service', instance: 'email-service-1', config: messagingConfig() })).toThrow(
      /Invalid aws configuration: STITCH_PREFIX: must be 1-40 letters/,
    );
  });
});
