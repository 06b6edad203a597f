import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { readCallLog, type AwsTransport } from '@stitch/messaging-aws';
import { ServiceBusTransport } from '@stitch/messaging-azure-service-bus';
import { ConfigError, messagingConfig, StartupError } from '@stitch/messaging-core';
import { localTransportFile, shopTransports } from './shop-transports';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('shopTransports', () => {
  it('puts the embedded transport in the data folder, so every process of a run shares it', () => {
    expect(localTransportFile('.data')).toBe(path.resolve('.data/bus/bus.db'));
  });

  it('starts the embedded transport on the shop topology', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-transports-'));
    const config = { ...messagingConfig(), dataDir, shopId: 'shop-a' };
    const transport = shopTransports.local!({
      topology: shopCatalogue.topology(),
      service: 'order-service',
      instance: 'order-service-1',
      config,
    });
    try {
      await transport.start();
      await transport.send({ kind: 'queue', name: 'order-service' }, []);
    } finally {
      await transport.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('builds no transport for a service without a shop id, on any transport, and says so in one line', () => {
    const context = {
      topology: shopCatalogue.topology(),
      service: 'order-service',
      instance: 'order-service-1',
      config: { ...messagingConfig(), shopId: undefined },
    };
    for (const factory of Object.values(shopTransports)) {
      expect(() => factory!(context)).toThrow(/^STITCH_SHOP_ID is not set: a service must know which shop instance it belongs to/);
    }
  });

  it("refuses another shop's service on the same bus file, and lets a tool without a shop id in", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-transports-'));
    const on = (shopId: string | undefined, tool = false) =>
      shopTransports.local!({
        topology: shopCatalogue.topology(),
        service: 'order-service',
        instance: 'order-service-1',
        config: { ...messagingConfig(), dataDir, shopId },
        tool,
      });
    const owner = on('shop-a');
    try {
      await owner.start();
      await expect(on('shop-b').start()).rejects.toThrow(/belongs to shop shop-a, not to this shop shop-b/);
      const tool = on(undefined, true);
      await tool.start();
      await tool.close();
    } finally {
      await owner.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  describe('azure', () => {
    it('fails to start with one line naming the broker it cannot reach, and no key', async () => {
      const port = await closedPort();
      process.env['SERVICEBUS_CONNECTION_STRING'] =
        `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=k;SharedAccessKey=topsecret;UseDevelopmentEmulator=true;`;
      delete process.env['SERVICEBUS_NAMESPACE'];
      const transport = shopTransports.azure!({
        topology: shopCatalogue.topology(),
        service: 'order-service',
        instance: 'order-service-1',
        config: { ...messagingConfig(), shopId: 'shop-a' },
      });
      const error = await transport.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as Error).message).toBe(
        `cannot reach the Service Bus broker at sb://127.0.0.1:${port} (connection refused): is the emulator running? ` +
          'Start it with: docker compose --profile azure up -d servicebus-emulator, or correct the Endpoint in SERVICEBUS_CONNECTION_STRING',
      );
    });

    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });
    const context = () => ({
      topology: shopCatalogue.topology(),
      service: 'order-service',
      instance: 'order-service-1',
      config: { ...messagingConfig(), shopId: 'shop-a' },
    });

    it('needs exactly one of a connection string or a namespace, and says so in one line', () => {
      delete process.env['SERVICEBUS_CONNECTION_STRING'];
      delete process.env['SERVICEBUS_NAMESPACE'];
      expect(() => shopTransports.azure!(context())).toThrow(ConfigError);
      expect(() => shopTransports.azure!(context())).toThrow(/exactly one of SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE/);
      process.env['SERVICEBUS_CONNECTION_STRING'] =
        'Endpoint=sb://localhost;SharedAccessKeyName=k;SharedAccessKey=topsecret;UseDevelopmentEmulator=true;';
      process.env['SERVICEBUS_NAMESPACE'] = 'my-shop';
      let message = '';
      try {
        shopTransports.azure!(context());
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/exactly one/);
      expect(message).not.toContain('topsecret');
    });

    it('builds the Service Bus transport from a connection string without connecting', () => {
      process.env['SERVICEBUS_CONNECTION_STRING'] =
        'Endpoint=sb://localhost;SharedAccessKeyName=k;SharedAccessKey=topsecret;UseDevelopmentEmulator=true;';
      delete process.env['SERVICEBUS_NAMESPACE'];
      const transport = shopTransports.azure!(context());
      expect(transport).toBeInstanceOf(ServiceBusTransport);
      expect(transport.capabilities).toMatchObject({ minLockMs: 30_000, flowPerReplica: false });
      // The core refuses a MESSAGING_LOCK_MS below minLockMs: its default must pass on the provisioned entities.
      expect(transport.capabilities.minLockMs).toBeLessThanOrEqual(messagingConfig().lockMs);
    });

    it('accepts a namespace name for DefaultAzureCredential and refuses a malformed one', () => {
      delete process.env['SERVICEBUS_CONNECTION_STRING'];
      process.env['SERVICEBUS_NAMESPACE'] = 'my-shop';
      expect(shopTransports.azure!(context()).name).toBe('azure');
      process.env['SERVICEBUS_NAMESPACE'] = 'https://my-shop/';
      expect(() => shopTransports.azure!(context())).toThrow(/SERVICEBUS_NAMESPACE: must be a namespace name/);
    });
  });
});

describe('shopTransports.aws', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('builds the AWS transport on the shop topology, with the prefix from STITCH_PREFIX', async () => {
    process.env = { ...saved, AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_REGION: 'eu-west-1', STITCH_PREFIX: 'unit' };
    const transport = shopTransports.aws!({
      topology: shopCatalogue.topology(),
      service: 'email-service',
      instance: 'email-service-1',
      config: { ...messagingConfig(), shopId: 'shop-a' },
    });
    try {
      expect(transport.name).toBe('aws');
      expect((transport as AwsTransport).entities.commandQueue({ kind: 'queue', name: 'email-service' })).toBe('unit-email-service');
    } finally {
      await transport.close();
    }
  });

  it('starts with the endpoint and start-up timeout from config, and names the endpoint when nothing answers there', async () => {
    const port = await closedPort();
    process.env = {
      ...saved,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const transport = shopTransports.aws!({
      topology: shopCatalogue.topology(),
      service: 'email-service',
      instance: 'email-service-1',
      config: { ...messagingConfig(), shopId: 'shop-a' },
    });
    const error = await transport.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(
      new RegExp(`^cannot reach the AWS API at http://127\\.0\\.0\\.1:${port} \\(connection refused\\)`),
    );
    await transport.close();
  });

  it("records a service's calls in the call log AWS_CALL_LOG names, and not a tool's", async () => {
    const port = await closedPort();
    const callLog = await mkdtemp(path.join(os.tmpdir(), 'stitch-call-log-'));
    process.env = {
      ...saved,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_CALL_LOG: callLog,
    };
    const start = async (service: string, tool: boolean) => {
      const transport = shopTransports.aws!({
        topology: shopCatalogue.topology(),
        service,
        instance: `${service}-1`,
        config: { ...messagingConfig(), shopId: 'shop-a' },
        tool,
      });
      await expect(transport.start()).rejects.toThrow(StartupError);
      await transport.close();
    };
    try {
      await start('email-service', false);
      await start('dlq', true);
      const calls = await readCallLog(callLog);
      expect(new Set(calls.map((call) => call.service))).toEqual(new Set(['email-service']));
      expect(calls).toContainEqual({ service: 'email-service', api: 'sqs:GetQueueUrl', input: { QueueName: 'email-service' } });
    } finally {
      await rm(callLog, { recursive: true, force: true });
    }
  });

  it('stops with one line naming a bad setting', () => {
    process.env = { ...saved, STITCH_PREFIX: 'no spaces' };
    expect(() =>
      shopTransports.aws!({
        topology: shopCatalogue.topology(),
        service: 'email-service',
        instance: 'email-service-1',
        config: { ...messagingConfig(), shopId: 'shop-a' },
      }),
    ).toThrow(/Invalid aws configuration: STITCH_PREFIX: must be 1-40 letters/);
  });
});
