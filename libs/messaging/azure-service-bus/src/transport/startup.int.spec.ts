// A service on Service Bus that cannot start says why in one line on stderr and exits 1, in a real process: the
// broker refusing connections, not resolving or never answering (through the real SDK, no broker needed), and
// entities missing (on the fake broker; no real broker runs here).
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { serviceBusEntities } from '../entities';
import { FakeServiceBusClient, FakeServiceBusServer } from '../../testing';
import { shopMarkerQueue } from './shop-marker';

const KEY = 'topsecret-key-0123456789';

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stderr, line by line. */
  readonly lines: string[];
}

/** Starts the email service's messaging on Service Bus in its own process. */
function start(env: Record<string, string>): Promise<Outcome> {
  const app = path.join(__dirname, '../../test/startup-app.ts');
  const inherited = { ...process.env };
  delete inherited['NODE_OPTIONS'];
  const child = spawn(process.execPath, ['--require', '@swc-node/register', app], {
    env: { ...inherited, MESSAGING_TRANSPORT: 'azure', LOG_LEVEL: 'info', STITCH_SHOP_ID: 'shop-a', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, lines: stderr.trim().split('\n').filter(Boolean) });
    }),
  );
}

const emulator = (endpoint: string) =>
  `Endpoint=sb://${endpoint};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${KEY};UseDevelopmentEmulator=true;`;

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a service on Service Bus that cannot start', () => {
  it('says in one line that the broker refuses connections, how to start the emulator, and no key', async () => {
    const port = await closedPort();
    const { status, lines, stderr } = await start({ SERVICEBUS_CONNECTION_STRING: emulator(`127.0.0.1:${port}`) });
    expect(lines).toEqual([
      `cannot reach the Service Bus broker at sb://127.0.0.1:${port} (connection refused): is the emulator running? ` +
        'Start it with: docker compose --profile azure up -d servicebus-emulator, or correct the Endpoint in SERVICEBUS_CONNECTION_STRING',
    ]);
    expect(status).toBe(1);
    expect(stderr).not.toContain(KEY);
  });

  it('says in one line that the namespace does not resolve', async () => {
    const { status, lines, stderr } = await start({
      SERVICEBUS_CONNECTION_STRING: `Endpoint=sb://stitch-no-such-namespace.invalid;SharedAccessKeyName=shop;SharedAccessKey=${KEY}`,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^cannot reach the Service Bus broker at sb:\/\/stitch-no-such-namespace\.invalid \(host name (does not resolve|lookup failed \(DNS\))\): is it running\? Check that SERVICEBUS_CONNECTION_STRING names an existing namespace/,
    );
    expect(status).toBe(1);
    expect(stderr).not.toContain(KEY);
  });

  it('gives up on a broker that accepts connections and never answers, after MESSAGING_START_TIMEOUT_MS', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const started = Date.now();
      const { status, lines } = await start({
        SERVICEBUS_CONNECTION_STRING: emulator(`127.0.0.1:${port}`),
        MESSAGING_START_TIMEOUT_MS: '1500',
      });
      expect(lines).toEqual([
        `cannot reach the Service Bus broker at sb://127.0.0.1:${port} (no answer within 1.5 s, MESSAGING_START_TIMEOUT_MS): is the emulator running? ` +
          'Start it with: docker compose --profile azure up -d servicebus-emulator, or correct the Endpoint in SERVICEBUS_CONNECTION_STRING',
      ]);
      expect(status).toBe(1);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('names a connection string the SDK refuses as a bad setting, without its key', async () => {
    const { status, lines, stderr } = await start({ SERVICEBUS_CONNECTION_STRING: `Endpoint=sb://localhost;SharedAccessKey=${KEY}` });
    expect(lines).toEqual([
      'Invalid serviceBus configuration: SERVICEBUS_CONNECTION_STRING: Connection string with SharedAccessKey should have SharedAccessKeyName.',
    ]);
    expect(status).toBe(1);
    expect(stderr).not.toContain(KEY);
  });

  describe('on the fake broker', () => {
    let server: FakeServiceBusServer;
    beforeAll(async () => (server = await FakeServiceBusServer.start()));
    afterAll(() => server.close());
    const entities = serviceBusEntities(shopCatalogue.topology());

    it('names the entities that do not exist and the command that creates them', async () => {
      server.createNamespace('partial', {
        ...entities,
        queues: entities.queues.filter((queue) => queue.name !== 'email-service'),
        topics: entities.topics.filter((topic) => topic.name !== 'flow'),
      });
      const { status, lines } = await start({ TEST_FAKE_SERVICEBUS: `${server.url} partial` });
      expect(lines).toEqual([
        'Service Bus topology missing: queue email-service and topic flow do not exist at sb://partial.fake.servicebus — create them with: npm run topology:azure -- --apply',
      ]);
      expect(status).toBe(1);
    });

    const markedFor = async (namespace: string, shopId: string) => {
      server.createNamespace(namespace, entities);
      await shopMarkerQueue(new FakeServiceBusClient(server.url, namespace)).write(shopId);
    };

    it('starts when every entity it needs exists and the namespace is marked for its shop', async () => {
      await markedFor('complete', 'shop-a');
      const { status, lines, stdout } = await start({ TEST_FAKE_SERVICEBUS: `${server.url} complete` });
      expect(lines).toEqual([]);
      expect(stdout).toContain('started');
      expect(status).toBe(0);
    });

    it("refuses a second shop's service in one line naming both shops and the namespace", async () => {
      await markedFor('taken', 'shop-a');
      const { status, lines } = await start({ TEST_FAKE_SERVICEBUS: `${server.url} taken`, STITCH_SHOP_ID: 'shop-b' });
      expect(lines).toEqual([
        "the Service Bus namespace at sb://taken.fake.servicebus belongs to shop shop-a, not to this shop shop-b: two shops on one topology take each other's messages; " +
          "give this shop its own namespace (SERVICEBUS_CONNECTION_STRING), or start it with that shop's id (STITCH_SHOP_ID)",
      ]);
      expect(status).toBe(1);
    });

    it('refuses a namespace without a marker (provisioned by an earlier version), naming the command that marks it', async () => {
      server.createNamespace('unmarked', entities);
      const { status, lines } = await start({ TEST_FAKE_SERVICEBUS: `${server.url} unmarked` });
      expect(lines).toEqual([
        'the Service Bus namespace at sb://unmarked.fake.servicebus is not marked for any shop (queue stitch-shop is empty): ' +
          'provision it for this shop with: STITCH_SHOP_ID=shop-a npm run topology:azure -- --apply',
      ]);
      expect(status).toBe(1);
    });

    it('refuses to start without a shop id', async () => {
      await markedFor('no-id', 'shop-a');
      const { status, lines } = await start({ TEST_FAKE_SERVICEBUS: `${server.url} no-id`, STITCH_SHOP_ID: '' });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^STITCH_SHOP_ID is not set: /);
      expect(status).toBe(1);
    });
  });
});
