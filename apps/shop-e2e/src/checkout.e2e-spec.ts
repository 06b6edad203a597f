// The whole shop, as `npm start` runs it: every service a real process (3 email, 2 inventory and 2 notification
// replicas) on
// the embedded transport and PostgreSQL, driven only through the storefront's HTTP API; then the same on an
// external PostgreSQL server, and on the AWS transport against an AWS API emulator, where every SDK call each service
// made must be allowed by the IAM policy infra/aws writes for it.
import { randomUUID } from 'node:crypto';
import { access, chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SendEmail, shopCatalogue, UserSignedUp } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { deniedCalls, describeRequest, requestsByService, synthShop } from '@stitch/infra-aws';
import { launchShop, type RunningShop } from '@stitch/launcher';
import { readCallLog } from '@stitch/messaging-aws';
import { serviceBusEntities, type ServiceBusEntities } from '@stitch/messaging-azure-service-bus';
import { FakeServiceBusServer, provisionFakeShopNamespace, type FakeServiceBusClient } from '@stitch/messaging-azure-service-bus/testing';
import type { FlowRecord } from '@stitch/messaging-core';
import { embeddedPostgresPasswordFile } from '@stitch/persistence';
import {
  deleteShopTopology,
  dataOwners,
  dropShopDatabases,
  eventually,
  FlowStream,
  JsonEventStream,
  listMails,
  ownTables,
  provisionShopTopology,
  readMail,
  shopDeadLetters,
  StorefrontClient,
  tablesPerDatabase,
  type OrderLineRequest,
  type OrderView,
  type Product,
} from '@stitch/shop-testing';

/** The test places orders faster than a shopper: its own limit, set explicitly. */
const E2E_ENV = { RATE_LIMIT_POSTS_PER_MINUTE: '100000' };

const APPROVED_CARD = '4242424242424242';
const DECLINED_CARD = '4000000000000002';
const USERS = 6;
const CONFIRMED_ORDERS = 14;
const SETTLE_TIMEOUT_MS = 90_000;
const scale = { [Services.email]: 3, [Services.inventory]: 2, [Services.notification]: 2 };
/** The account moto puts in every ARN. */
const MOTO_ACCOUNT = '123456789012';

interface ShopNotification {
  readonly id: string;
  readonly kind: 'welcome' | 'order-status';
  readonly userId: string;
  readonly orderId?: string;
  readonly status?: string;
}

const isNotification = (value: unknown): value is ShopNotification => typeof (value as Partial<ShopNotification> | null)?.kind === 'string';

interface PlacedOrder {
  readonly orderId: string;
  readonly items: readonly OrderLineRequest[];
  readonly expected: 'confirmed' | 'declined' | 'out-of-stock';
}

describe('checkout, end to end', () => {
  let tmp: string;
  let shop: RunningShop | undefined;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-e2e-'));
    // The embedded PostgreSQL runs as the OS user `postgres` when the tests run as root.
    await chmod(tmp, 0o755);
  });

  afterEach(async () => {
    await shop?.stop();
    shop = undefined;
    await rm(tmp, { recursive: true, force: true });
  });

  it('on the embedded PostgreSQL', async () => {
    shop = await launchShop({ dataDir: path.join(tmp, 'data'), ports: 'free', scale, env: E2E_ENV, readyTimeoutMs: 180_000 });
    await exerciseShop(shop);
    await expectEachServiceInItsOwnDatabase(shop.databaseUrl);
    await expectOperatorCredentials(shop);
  });

  const external = process.env.E2E_DATABASE_URL;
  const externalRun = external
    ? 'on the PostgreSQL server E2E_DATABASE_URL names, through DATABASE_URL'
    : 'on an external PostgreSQL server (E2E_DATABASE_URL is not set)';
  (external ? it : it.skip)(externalRun, async () => {
    await dropShopDatabases(external as string);
    shop = await launchShop({
      dataDir: path.join(tmp, 'data'),
      ports: 'free',
      scale,
      databaseUrl: external,
      env: E2E_ENV,
      readyTimeoutMs: 180_000,
    });
    expect(shop.databaseUrl).toBe(external);
    await exerciseShop(shop);
    await expectEachServiceInItsOwnDatabase(external as string);
  });

  // SQS for commands and EventBridge for events, on an emulator (moto server) with a fresh name prefix.
  const awsEndpoint = process.env.E2E_AWS_ENDPOINT_URL;
  const awsRun = awsEndpoint
    ? 'on the AWS transport (SQS + EventBridge) at E2E_AWS_ENDPOINT_URL'
    : 'on the AWS transport (E2E_AWS_ENDPOINT_URL, an AWS API emulator such as moto_server, is not set)';
  (awsEndpoint ? it : it.skip)(awsRun, async () => {
    const settings = { endpoint: awsEndpoint as string, region: process.env.AWS_REGION ?? 'us-east-1' };
    const prefix = await provisionShopTopology(settings);
    const callLog = path.join(tmp, 'aws-calls');
    try {
      shop = await launchShop({
        dataDir: path.join(tmp, 'data'),
        ports: 'free',
        scale,
        readyTimeoutMs: 180_000,
        env: {
          ...E2E_ENV,
          MESSAGING_TRANSPORT: 'aws',
          AWS_ENDPOINT_URL: settings.endpoint,
          AWS_REGION: settings.region,
          STITCH_PREFIX: prefix,
          STITCH_SHOP_ID: prefix,
          AWS_CALL_LOG: callLog,
        },
      });
      await exerciseShop(shop, { redelivers: true });
      // Nothing went through the embedded transport's file.
      await expect(access(path.join(shop.dataDir, 'bus'))).rejects.toThrow(/ENOENT/);
      const deadLetters = await shopDeadLetters(settings, prefix);
      expect(deadLetters.map((dead) => `${dead.message.type}: ${dead.reason}`)).toEqual([]);
      const services = [...new Set(shop.processes.map((child) => child.service))].sort();
      // Every call is on disk once the services have stopped, those made while stopping too.
      await shop.stop();
      shop = undefined;
      await expectEveryCallAllowed(callLog, services, { prefix, region: settings.region });
    } finally {
      await shop?.stop();
      shop = undefined;
      await deleteShopTopology(settings, prefix);
    }
  });

  // Queues for commands and a topic with a subscription per service for events, on the fake broker: each service runs
  // its production composition, whose SDK client the fake's preload turns into the fake broker's.
  it('on the Service Bus transport, against the fake broker', async () => {
    const server = await FakeServiceBusServer.start();
    try {
      const entities = serviceBusEntities(shopCatalogue.topology());
      const { client, env } = await provisionFakeShopNamespace(server, entities);
      shop = await launchShop({
        dataDir: path.join(tmp, 'data'),
        ports: 'free',
        scale,
        readyTimeoutMs: 180_000,
        env: { ...E2E_ENV, ...env },
      });
      await exerciseShop(shop);
      await expect(access(path.join(shop.dataDir, 'bus'))).rejects.toThrow(/ENOENT/);
      expect(await deadLetterCounts(client, entities)).toEqual({});
    } finally {
      await shop?.stop();
      shop = undefined;
      await server.close();
    }
  });
});

/** How many dead letters each queue and subscription holds, those that hold any. */
async function deadLetterCounts(client: FakeServiceBusClient, entities: ServiceBusEntities): Promise<Record<string, number>> {
  const receivers = [
    ...entities.queues.map((queue) => ({ name: queue.name, receiver: client.createReceiver(queue.name, { subQueueType: 'deadLetter' }) })),
    ...entities.topics.flatMap((topic) =>
      topic.subscriptions.map((subscription) => ({
        name: `${topic.name}/${subscription.name}`,
        receiver: client.createReceiver(topic.name, subscription.name, { subQueueType: 'deadLetter' }),
      })),
    ),
  ];
  const counts: Record<string, number> = {};
  for (const { name, receiver } of receivers) {
    const held = (await receiver.peekMessages(100)).length;
    await receiver.close();
    if (held > 0) counts[name] = held;
  }
  return counts;
}

/**
 * moto does not enforce IAM, so each service's SDK calls of the run (its call log) are checked against the policies
 * infra/aws gives that service's task role, synthesized for the run's prefix in moto's account.
 */
async function expectEveryCallAllowed(
  callLog: string,
  services: readonly string[],
  run: { prefix: string; region: string },
): Promise<void> {
  const calls = await readCallLog(callLog);
  // A call log that stays empty must fail the run, not pass it.
  expect(services.filter((service) => !calls.some((call) => call.service === service))).toEqual([]);
  const template = synthShop({ prefix: run.prefix, shopId: run.prefix }).template.toJSON();
  const scope = { partition: 'aws', region: run.region, account: MOTO_ACCOUNT };
  let denied: string[];
  try {
    denied = deniedCalls(template, calls, scope);
  } catch (error) {
    // The policies could not be read (a role missing, say): what the run needed is what they must allow.
    const needed = [...requestsByService(calls, scope)].flatMap(([service, requests]) =>
      requests.map((request) => `  ${service}: ${describeRequest(request)}`),
    );
    throw new Error(`${(error as Error).message}\nthe services' calls in this run needed:\n${needed.join('\n')}`, { cause: error });
  }
  expect(denied).toEqual([]);
}

/**
 * `redelivers`: the transport delivers at least once even when nothing fails (SQS). The inbox completes a redelivered
 * message without running its handler again and reports it as a `duplicate`, never as a second `handled`; its
 * effects (the mails) count once.
 */
async function exerciseShop(shop: RunningShop, { redelivers = false }: { redelivers?: boolean } = {}): Promise<void> {
  const storefront = new StorefrontClient(shop.storefrontUrl ?? '');
  const flow = await FlowStream.open(`${shop.storefrontUrl}/api/flow`);
  // Each customer's browser on the storefront, which relays one notification replica's stream of that customer: the
  // replicas compete for the events, and each browser must still get every one of its own, and nobody else's.
  const browsers = new Map<string, JsonEventStream<ShopNotification>>();
  const openBrowser = async (userId: string) => {
    // Opened after sign-up (the session comes with it): Last-Event-ID 0 replays what came before, the welcome too.
    const headers = { cookie: storefront.sessionCookie(userId), 'last-event-id': '0' };
    browsers.set(userId, await JsonEventStream.open(`${shop.storefrontUrl}/api/notifications`, isNotification, 15_000, headers));
  };
  const news = {
    get records(): ShopNotification[] {
      return [...browsers.values()].flatMap((stream) => stream.records);
    },
  };
  try {
    const before = await storefront.products();
    const { limited, plentiful } = pickProducts(before, CONFIRMED_ORDERS + 1);
    const orders: PlacedOrder[] = [];
    const place = async (userId: string, items: OrderLineRequest[], expected: PlacedOrder['expected'], card = APPROVED_CARD) => {
      orders.push({ orderId: await storefront.placeOrder(userId, items, card), items, expected });
    };

    // Ordering before the order service has heard of the user: it retries the PlaceOrder until it has.
    const firstUser = await storefront.signUp(`first-${randomUUID()}@example.com`, 'First Customer');
    await place(firstUser, [line(plentiful, 0)], 'confirmed');
    await openBrowser(firstUser);

    const users = [firstUser];
    for (let index = 1; index < USERS; index++) {
      const userId = await storefront.signUp(`customer-${index}-${randomUUID()}@example.com`, `Customer ${index}`);
      users.push(userId);
      await openBrowser(userId);
    }
    for (let index = 1; index < CONFIRMED_ORDERS; index++) {
      await place(users[index % users.length] as string, [line(plentiful, index)], 'confirmed');
    }
    await place(users[1] as string, [line(plentiful, 0)], 'declined', DECLINED_CARD);
    await place(users[2] as string, [{ sku: limited.sku, quantity: limited.available + 1 }, line(plentiful, 1)], 'out-of-stock');

    // Final states.
    const finals = new Map<string, OrderView>();
    for (const order of orders) finals.set(order.orderId, await storefront.finalOrder(order.orderId, SETTLE_TIMEOUT_MS));
    for (const order of orders) {
      const final = finals.get(order.orderId);
      if (order.expected === 'confirmed')
        expect({ orderId: order.orderId, status: final?.status }).toEqual({ orderId: order.orderId, status: 'confirmed' });
      else
        expect({ orderId: order.orderId, status: final?.status, reason: typeof final?.reason }).toEqual({
          orderId: order.orderId,
          status: 'cancelled',
          reason: 'string',
        });
    }

    // Stock: exactly what the confirmed orders took; the declined order's reservation was released, the
    // out-of-stock order reserved nothing (all lines or none).
    const expectedStock = Object.fromEntries(before.map((product) => [product.sku, product.available]));
    for (const order of orders.filter((candidate) => candidate.expected === 'confirmed')) {
      for (const item of order.items) expectedStock[item.sku] = (expectedStock[item.sku] ?? 0) - item.quantity;
    }
    const stockLeft = async () => Object.fromEntries((await storefront.products()).map((product) => [product.sku, product.available]));
    expect(
      await eventually('the stock to match the confirmed orders', stockLeft, (stock) => sameStock(stock, expectedStock), 30_000),
    ).toEqual(expectedStock);

    // Mails: a welcome per sign-up, a confirmation or cancellation per finished order, each once.
    const expectedMails = users.length + orders.length;
    expect(expectedMails).toBeGreaterThanOrEqual(20);
    const mailFiles = await eventually(
      `${expectedMails} mails under ${shop.dataDir}/mail`,
      () => listMails(shop.dataDir),
      (files) => files.length >= expectedMails,
      SETTLE_TIMEOUT_MS,
    );
    expect(mailFiles).toHaveLength(expectedMails);
    const mails = await Promise.all(mailFiles.map(readMail));
    expect(new Set(mails.map((mail) => mail.messageIdHeader)).size).toBe(expectedMails);
    for (const mail of mails) expect(mail.messageIdHeader).toContain(path.basename(mail.file, '.eml'));

    // Flow records: who handled what, and how often. Where the transport redelivers, a message whose first delivery
    // was handled but could not be settled comes back and is reported only as a duplicate: it counts as handled once.
    const settled = new Set<FlowRecord['outcome']>(redelivers ? ['handled', 'duplicate'] : ['handled']);
    const reported = (type: string, to?: string) =>
      flow.records.filter((record) => record.type === type && settled.has(record.outcome) && (!to || record.to === to));
    const handled = (type: string, to?: string) =>
      redelivers
        ? [...new Map(reported(type, to).map((record) => [`${record.messageId} ${record.to}`, record])).values()]
        : reported(type, to);
    await eventually(
      'the flow records of every SendEmail and of each service handling every UserSignedUp',
      () => ({
        sendEmail: new Set(handled(SendEmail.type).map((record) => record.messageId)).size,
        signUps: UserSignedUp.subscribers.map(
          (service) => new Set(handled(UserSignedUp.type, service).map((record) => record.messageId)).size,
        ),
      }),
      (seen) => seen.sendEmail >= orders.length && seen.signUps.every((count) => count >= users.length),
      30_000,
    );

    const sendEmails = handled(SendEmail.type);
    expect(countBy(sendEmails, (record) => record.messageId).filter(([, count]) => count !== 1)).toEqual([]);
    expect(sendEmails).toHaveLength(orders.length);
    // Which of the three replicas took them is up to timing: with 16 mails one replica may win every race, so how
    // the work spreads over competing replicas is asserted by the conformance suite (300 messages), not here.
    const emailReplicas = shop.processes.filter((child) => child.service === Services.email).map((child) => child.instance);
    expect(sendEmails.filter((record) => !emailReplicas.includes(record.instance))).toEqual([]);

    const signUps = handled(UserSignedUp.type);
    expect(new Set(signUps.map((record) => record.messageId)).size).toBe(users.length);
    expect([...UserSignedUp.subscribers].sort()).toEqual([Services.email, Services.notification, Services.order].sort());
    expect(countBy(signUps, (record) => `${record.messageId} ${record.to}`).filter(([, count]) => count !== 1)).toEqual([]);
    expect(signUps).toHaveLength(users.length * UserSignedUp.subscribers.length);

    // The mails are the email service's effects of exactly the messages it handled.
    const emailMessages = [...sendEmails, ...handled(UserSignedUp.type, Services.email)].map((record) => record.messageId).sort();
    expect(mailFiles.map((file) => path.basename(file, '.eml')).sort()).toEqual(emailMessages);

    // Notifications: a welcome per sign-up and each order's final state reached the one browser, each once,
    // whichever notification replica handled the event.
    const finalStatus = (orderId: string) => finals.get(orderId)?.status;
    const told = () => ({
      welcomed: users.filter((userId) => news.records.some((n) => n.kind === 'welcome' && n.userId === userId)).length,
      finished: orders.filter((order) => news.records.some((n) => n.orderId === order.orderId && n.status === finalStatus(order.orderId)))
        .length,
    });
    expect(
      await eventually(
        'a welcome per user and every order’s final state on the notification stream',
        told,
        (seen) => seen.welcomed === users.length && seen.finished === orders.length,
        30_000,
      ),
    ).toEqual({
      welcomed: users.length,
      finished: orders.length,
    });
    expect(countBy(news.records, (n) => n.id).filter(([, count]) => count !== 1)).toEqual([]);
    // A customer's browser got only that customer's notifications.
    const strangers = [...browsers].flatMap(([userId, stream]) =>
      stream.records.filter((n) => n.userId !== userId).map((n) => `${n.id} for ${n.userId} reached ${userId}`),
    );
    expect(strangers).toEqual([]);
    const notificationHandlers = new Set(
      flow.records.filter((record) => record.to === Services.notification && record.outcome === 'handled').map((record) => record.instance),
    );
    const notificationReplicas = shop.processes.filter((child) => child.service === Services.notification).map((child) => child.instance);
    expect(notificationReplicas).toHaveLength(2);
    expect([...notificationHandlers].filter((instance) => !notificationReplicas.includes(instance))).toEqual([]);

    expectRecordsFromLaunchedInstances(flow.records, shop);
    expectEachHandledOnce(flow.records);
    await expectNoCardNumberAt(shop.dataDir, [APPROVED_CARD, DECLINED_CARD]);
  } finally {
    await Promise.all([...browsers.values()].map((stream) => stream.close()));
    await flow.close();
  }
}

/** Every record comes from a process the launcher started for that service, and each consuming service shows up. */
function expectRecordsFromLaunchedInstances(records: readonly FlowRecord[], shop: RunningShop): void {
  const launched = new Map<string, Set<string>>();
  for (const child of shop.processes) launched.set(child.service, (launched.get(child.service) ?? new Set()).add(child.instance));
  const strangers = records.filter((record) => !launched.get(record.to)?.has(record.instance));
  expect(strangers.map((record) => `${record.to} ${record.instance}`)).toEqual([]);
  const consumers = [Services.order, Services.inventory, Services.payment, Services.email, Services.notification];
  expect(consumers.filter((service) => !records.some((record) => record.to === service))).toEqual([]);
}

/**
 * The inbox absorbs every repeat: no service reports a message handled twice, a redelivery is a `duplicate`; and each
 * record names its checkout (or sign-up) by the correlation id the storefront's request started.
 */
function expectEachHandledOnce(records: readonly FlowRecord[]): void {
  const handledTwice = countBy(
    records.filter((record) => record.outcome === 'handled'),
    (record) => `${record.messageId} ${record.to}`,
  ).filter(([, count]) => count > 1);
  expect(handledTwice).toEqual([]);
  expect(records.filter((record) => !record.correlationId).map((record) => `${record.type} ${record.messageId}`)).toEqual([]);
  const duplicates = records.filter((record) => record.outcome === 'duplicate').length;
  process.stdout.write(`flow records: ${records.length}, duplicates absorbed by the inbox ${duplicates}\n`);
}

/**
 * The storefront turns a card into a token and its last four digits, so no log line, message (the embedded bus
 * file holds queues, dead letters and flow records) or mail may hold a card number.
 */
async function expectNoCardNumberAt(dataDir: string, cards: readonly string[]): Promise<void> {
  // On a cloud transport there is no bus file: its dead-letter queues are checked to be empty instead.
  const folders = ['run/logs', 'bus', 'mail'].map((folder) => path.join(dataDir, folder));
  const listing = async (folder: string) => (await readdir(folder).catch(() => [] as string[])).map((name) => path.join(folder, name));
  const files = (await Promise.all(folders.map(listing))).flat();
  expect(files.length).toBeGreaterThan(0);
  const holding: string[] = [];
  for (const file of files) {
    const content = await readFile(file);
    for (const card of cards) if (content.includes(card)) holding.push(`${path.relative(dataDir, file)} holds ${card}`);
  }
  expect(holding).toEqual([]);
}

async function expectEachServiceInItsOwnDatabase(serverUrl: string): Promise<void> {
  const tables = await tablesPerDatabase(serverUrl);
  for (const [service, database] of Object.entries(dataOwners)) {
    const own = ownTables(tables.get(database) ?? []);
    expect({ service, database, hasOwnTables: own.length > 0 }).toEqual({ service, database, hasOwnTables: true });
    for (const [other, otherTables] of tables) {
      if (other === database) continue;
      const shared = ownTables(otherTables).filter((table) => own.includes(table));
      expect({ table: `${service}'s`, foundIn: other, shared }).toEqual({ table: `${service}'s`, foundIn: other, shared: [] });
    }
  }
}

/**
 * The limited item is the product with the least stock (ordering one more than it has must fail); the others
 * share the confirmed orders, one piece each, round robin, so each must hold its share.
 */
function pickProducts(products: readonly Product[], piecesNeeded: number): { limited: Product; plentiful: Product[] } {
  const [limited, ...others] = [...products].sort((a, b) => a.available - b.available);
  if (!limited || limited.available + 1 > 100) {
    throw new Error(`the catalogue needs a product with fewer than 100 in stock for the out-of-stock order: ${JSON.stringify(products)}`);
  }
  let plentiful = others;
  while (plentiful.length > 0 && (plentiful[0] as Product).available < Math.ceil(piecesNeeded / plentiful.length))
    plentiful = plentiful.slice(1);
  if (plentiful.length === 0) {
    throw new Error(
      `the catalogue holds too little stock besides ${limited.sku} for ${piecesNeeded} one-piece orders: ${JSON.stringify(products)}`,
    );
  }
  return { limited, plentiful };
}

/** One piece of a plentiful product, taking them in turn so no product runs out. */
function line(plentiful: readonly Product[], index: number): OrderLineRequest {
  return { sku: (plentiful[index % plentiful.length] as Product).sku, quantity: 1 };
}

function sameStock(actual: Record<string, number>, expected: Record<string, number>): boolean {
  return Object.keys(expected).every((sku) => actual[sku] === expected[sku]);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts];
}

/**
 * The credentials the launcher made for this data folder: the operator token the storefront's dead-letter endpoints
 * require, and the embedded PostgreSQL's random password, each in a file only its owner reads.
 */
async function expectOperatorCredentials(shop: RunningShop): Promise<void> {
  const unauthorised = await fetch(`${shop.storefrontUrl}/api/dead-letters`);
  expect(unauthorised.status).toBe(401);
  const authorised = await fetch(`${shop.storefrontUrl}/api/dead-letters`, { headers: { authorization: `Bearer ${shop.operatorToken}` } });
  expect(authorised.status).toBe(200);
  expect(shop.operatorTokenFile).toBe(path.join(shop.dataDir, 'operator-token'));
  expect((await readFile(shop.operatorTokenFile as string, 'utf8')).trim()).toBe(shop.operatorToken);
  const passwordFile = embeddedPostgresPasswordFile(path.join(shop.dataDir, 'postgres'));
  const password = new URL(shop.databaseUrl).password;
  expect(password).not.toBe('postgres');
  expect((await readFile(passwordFile, 'utf8')).trim()).toBe(decodeURIComponent(password));
  if (process.platform !== 'win32') {
    expect((await stat(shop.operatorTokenFile as string)).mode & 0o777).toBe(0o600);
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
  }
}
