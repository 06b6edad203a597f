// A service on the AWS transport that cannot start says why in one line on stderr and exits 1, in a real process:
// its topology missing on a real AWS API (moto, TEST_AWS_ENDPOINT_URL; see test/emulator.ts), its endpoint refusing
// connections or never answering (no server needed).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { DeleteQueueCommand, GetQueueUrlCommand, UntagQueueCommand } from '@aws-sdk/client-sqs';
import { shopCatalogue } from '@stitch/contracts';
import { testAws } from '../test/emulator';
import { createAwsClients, destroyAwsClients } from './clients';
import { awsEntities } from './entities';
import { applyTopology, deleteTopology } from './provision';

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  /** stderr, line by line. */
  readonly lines: string[];
}

/** Starts the storefront's messaging on AWS in its own process, with dummy credentials unless the test AWS is real. */
function start(env: Record<string, string>): Promise<Outcome> {
  const app = path.join(__dirname, '../test/startup-app.ts');
  const credentials =
    process.env['TEST_AWS_ENDPOINT_URL'] === 'aws'
      ? {}
      : { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  const child = spawn(process.execPath, ['--require', '@swc-node/register', app], {
    env: { ...process.env, ...credentials, MESSAGING_TRANSPORT: 'aws', LOG_LEVEL: 'info', STITCH_SHOP_ID: 'shop-a', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, lines: stderr.trim().split('\n').filter(Boolean) });
    }),
  );
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a service on AWS that cannot start', () => {
  it('says in one line that the endpoint refuses connections, and where', async () => {
    const port = await closedPort();
    const { status, lines } = await start({ AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` });
    expect(lines).toEqual([
      `cannot reach the AWS API at http://127.0.0.1:${port} (connection refused): is the emulator running? Start it (e.g. moto_server -H 127.0.0.1 -p 5000) or correct AWS_ENDPOINT_URL`,
    ]);
    expect(status).toBe(1);
  });

  it('gives up on an endpoint that accepts connections and never answers, after MESSAGING_START_TIMEOUT_MS', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const started = Date.now();
      const { status, lines } = await start({ AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, MESSAGING_START_TIMEOUT_MS: '1500' });
      expect(lines).toEqual([
        `cannot reach the AWS API at http://127.0.0.1:${port} (no answer within 1.5 s, MESSAGING_START_TIMEOUT_MS): is the emulator running? Start it (e.g. moto_server -H 127.0.0.1 -p 5000) or correct AWS_ENDPOINT_URL`,
      ]);
      expect(status).toBe(1);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

const { settings, skipReason } = testAws();
if (skipReason) process.stdout.write(`SKIPPED AWS start-up on an emulator: ${skipReason}\n`);

(skipReason ? describe.skip : describe)('a service on AWS whose topology is missing', () => {
  const prefix = `start-${randomBytes(3).toString('hex')}`;
  const entities = awsEntities(shopCatalogue.topology(), prefix);
  const endpoint = settings.endpoint ?? '';
  const env = { STITCH_PREFIX: prefix, ...(settings.endpoint ? { AWS_ENDPOINT_URL: settings.endpoint } : {}) };
  const clients = createAwsClients(settings);

  afterAll(async () => {
    await deleteTopology(clients, entities);
    destroyAwsClients(clients);
  });

  it('names what is missing, where, and the command (with its prefix) that creates it', async () => {
    const { status, lines } = await start(env);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^AWS topology missing: event bus ${prefix}-stitch, queue ${prefix}-email-service, queue ${prefix}-email-service-dlq and \\d+ more do not exist at ` +
          `${endpoint ? endpoint.replace(/[.]/g, '\\.') : 'AWS.*'} — create them with: STITCH_PREFIX=${prefix} npm run topology:aws -- --apply$`,
      ),
    );
    expect(status).toBe(1);
  });

  it('starts once the topology is there, and then names the one queue that goes missing', async () => {
    await applyTopology(clients, entities, { shopId: 'shop-a' });
    const started = await start(env);
    expect(started.lines).toEqual([]);
    expect(started.stdout).toContain('started');
    expect(started.status).toBe(0);

    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-order-service` }));
    await clients.sqs.send(new DeleteQueueCommand({ QueueUrl }));
    const missing = await start(env);
    expect(missing.lines).toEqual([
      `AWS topology missing: queue ${prefix}-order-service does not exist at ${endpoint || `AWS (${settings.region})`} — create it with: STITCH_PREFIX=${prefix} npm run topology:aws -- --apply`,
    ]);
    expect(missing.status).toBe(1);
  });
});

(skipReason ? describe.skip : describe)('a service on AWS whose topology belongs to another shop', () => {
  const prefix = `shop-${randomBytes(3).toString('hex')}`;
  const entities = awsEntities(shopCatalogue.topology(), prefix);
  const where = settings.endpoint || `AWS (${settings.region})`;
  const env = { STITCH_PREFIX: prefix, ...(settings.endpoint ? { AWS_ENDPOINT_URL: settings.endpoint } : {}) };
  const clients = createAwsClients(settings);

  beforeAll(() => applyTopology(clients, entities, { shopId: 'shop-a' }));
  afterAll(async () => {
    await deleteTopology(clients, entities);
    destroyAwsClients(clients);
  });

  it('starts a service of the shop the queues are tagged for', async () => {
    const started = await start({ ...env, STITCH_SHOP_ID: 'shop-a' });
    expect(started.lines).toEqual([]);
    expect(started.status).toBe(0);
  });

  it("refuses a second shop's service in one line naming both shops and the topology", async () => {
    const { status, lines } = await start({ ...env, STITCH_SHOP_ID: 'shop-b' });
    expect(lines).toEqual([
      `the AWS topology with prefix ${prefix} at ${where} belongs to shop shop-a, not to this shop shop-b: two shops on one topology take each other's messages; ` +
        "give this shop its own prefix (STITCH_PREFIX) and provision it, or start it with that shop's id (STITCH_SHOP_ID)",
    ]);
    expect(status).toBe(1);
  });

  it('refuses to start without a shop id', async () => {
    const { status, lines } = await start({ ...env, STITCH_SHOP_ID: '' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^STITCH_SHOP_ID is not set: /);
    expect(status).toBe(1);
  });

  it('refuses queues without the shop tag (provisioned by an earlier version), naming the command that marks them', async () => {
    const queue = `${prefix}-order-service`;
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    await clients.sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['stitch:shop'] }));
    const { status, lines } = await start({ ...env, STITCH_SHOP_ID: 'shop-a' });
    expect(lines).toEqual([
      `the AWS topology with prefix ${prefix} at ${where} is not marked for any shop (queue ${queue} has no stitch:shop tag): ` +
        `provision it for this shop with: STITCH_SHOP_ID=shop-a STITCH_PREFIX=${prefix} npm run topology:aws -- --apply`,
    ]);
    expect(status).toBe(1);
    await applyTopology(clients, entities, { shopId: 'shop-a' });
    expect((await start({ ...env, STITCH_SHOP_ID: 'shop-a' })).status).toBe(0);
  }, 60_000);
});
