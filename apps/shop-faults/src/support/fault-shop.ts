import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { isAlive, launchShop, readRunRecord, type LaunchedProcess, type RunRecord, type RunningShop } from '@stitch/launcher';
import type { Source } from '@stitch/messaging-core';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@stitch/persistence';
import { queryServiceDatabase } from '@stitch/persistence/testing';
import { eventually, sleep, StorefrontClient, type OrderLineRequest, type Product } from '@stitch/shop-testing';
import { v7 as uuidv7 } from 'uuid';
import { HandledLog } from './handled-log';
import { TcpCutProxy } from './tcp-cut-proxy';
import type { Restore, TransportFaults } from './transport-faults';

/**
 * Short enough that a scenario sees a lapsed lock or an exhausted retry budget within seconds, long enough for
 * the lock renewals of a busy two-core machine.
 */
export const FAULT_ENV = {
  MESSAGING_LOCK_MS: '3000',
  MESSAGING_RETRY_BASE_MS: '100',
  MESSAGING_RETRY_MAX_MS: '2000',
  // The scenarios place up to a thousand orders from one client in seconds: far past a shopper's limit.
  RATE_LIMIT_POSTS_PER_MINUTE: '1000000',
};

export interface OrderRequest {
  readonly userId: string;
  readonly items: readonly OrderLineRequest[];
  readonly card?: string;
}

/** What a customer's client saw placing orders: the orders accepted (202) and the answers it retried. */
export interface Placement {
  readonly accepted: string[];
  /** POSTs made, retries included. */
  attempts: number;
  /** 503 answers (and other 5xx) that were retried. */
  unavailable: number;
  /** Those answers by status, e.g. `503×4`. */
  readonly unavailableStatuses: string[];
  /** Requests that failed without an answer and were retried. */
  unanswered: number;
  /** Orders given up on after the client's deadline. */
  abandoned: number;
}

export interface FinalOrder {
  readonly status: 'pending' | 'confirmed' | 'cancelled';
  readonly reason: string | null;
  /** When the test first saw it confirmed or cancelled. */
  readonly settledAt?: number;
}

/**
 * The whole shop, started by the launcher on a transport with faults, driven through the storefront like a
 * customer, and checked in each service's own database and the services' logs.
 */
export class FaultShop {
  readonly storefront: StorefrontClient;

  private constructor(
    readonly shop: RunningShop,
    readonly faults: TransportFaults,
    private readonly tmp: string,
    private readonly database: ProxiedDatabase | undefined,
    /** The server URL, with its credentials, the test's own queries use. */
    private readonly databaseUrl: () => Promise<string> = async () => database?.directUrl ?? shop.databaseUrl,
  ) {
    this.storefront = new StorefrontClient(shop.storefrontUrl ?? '');
  }

  /**
   * `database: 'proxied'` (the default): a PostgreSQL of the test's own, which the services reach through a proxy the
   * test can cut. `'launcher'`: the launcher's embedded PostgreSQL, supervised like every replica (`restart` on).
   */
  static async launch(
    makeFaults: (dataDir: string) => Promise<TransportFaults>,
    scale: Record<string, number>,
    database: 'proxied' | 'launcher' = 'proxied',
  ): Promise<FaultShop> {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-faults-'));
    // The embedded PostgreSQL runs as the OS user `postgres` when the tests run as root.
    await chmod(tmp, 0o755);
    const dataDir = path.join(tmp, 'data');
    let faults: TransportFaults | undefined;
    let proxied: ProxiedDatabase | undefined;
    try {
      faults = await makeFaults(dataDir);
      if (database === 'proxied') proxied = await ProxiedDatabase.start(path.join(tmp, 'postgres'));
      const shop = await launchShop({
        dataDir,
        ports: 'free',
        scale,
        readyTimeoutMs: 180_000,
        ...(proxied ? { databaseUrl: proxied.proxiedUrl } : { restart: true }),
        env: { ...FAULT_ENV, ...faults.env },
      });
      return new FaultShop(shop, faults, tmp, proxied);
    } catch (error) {
      await faults?.close();
      await proxied?.stop();
      await rm(tmp, { recursive: true, force: true });
      throw error;
    }
  }

  /** A shop some other launcher runs (a process of its own the test kills and starts again). */
  static attach(shop: RunningShop, faults: TransportFaults, databaseUrl: () => Promise<string>): FaultShop {
    return new FaultShop(shop, faults, '', undefined, databaseUrl);
  }

  async stop(): Promise<void> {
    try {
      await this.shop.stop();
    } finally {
      await this.faults.close();
      await this.database?.stop();
      if (this.tmp) await rm(this.tmp, { recursive: true, force: true });
    }
  }

  /** `processes.json` as the launcher wrote it last: a restart changes pids. */
  async runRecord(): Promise<RunRecord> {
    const record = await readRunRecord(this.shop.runFile);
    if (!record) throw new Error(`${this.shop.runFile} is missing`);
    return record;
  }

  /** Each replica as `processes.json` lists it, with its pid. */
  async processes(service?: string): Promise<LaunchedProcess[]> {
    const record = await this.runRecord();
    return record.processes.filter((process) => !service || process.service === service);
  }

  /** The replicas that are gone: a crash or a wedge a fault caused shows here. */
  async deadProcesses(except: readonly number[] = []): Promise<string[]> {
    return (await this.processes()).filter((child) => !except.includes(child.pid) && !isAlive(child.pid)).map((child) => child.instance);
  }

  /** The proxy every service reaches PostgreSQL through; the test's own queries go around it. */
  databaseProxy(): TcpCutProxy {
    if (!this.database) throw new Error("this shop runs on the launcher's PostgreSQL, with no proxy in front");
    return this.database.proxy;
  }

  /** Dead letters on every queue and subscription of the topology. */
  async deadLetterCount(): Promise<number> {
    const topology = shopCatalogue.topology();
    const sources: Source[] = [
      ...topology.queues.map((queue): Source => ({ kind: 'queue', name: queue.name })),
      ...topology.topic.subscriptions.map((subscription): Source => ({
        kind: 'subscription',
        topic: subscription.topic,
        name: subscription.name,
      })),
    ];
    const counts = await Promise.all(sources.map(async (source) => (await this.faults.deadLetters(source)).length));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Which replicas answer `/health/ready` with 503 right now, and whether every one still answers `/health/live`. */
  async readiness(): Promise<{ notReady: string[]; notLive: string[]; total: number }> {
    const processes = await this.processes();
    const status = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined))?.status;
    const answers = await Promise.all(
      processes.map(async (child) => ({
        instance: child.instance,
        ready: await status(`${child.url}/health/ready`),
        live: await status(`${child.url}/health/live`),
      })),
    );
    return {
      notReady: answers.filter((answer) => answer.ready !== 200).map((answer) => answer.instance),
      notLive: answers.filter((answer) => answer.live !== 200).map((answer) => answer.instance),
      total: answers.length,
    };
  }

  handled(since: number): Promise<HandledLog> {
    return HandledLog.read(path.join(this.shop.dataDir, 'run', 'logs'), since);
  }

  /** Signs users up and waits until the order service has them, so their orders are not retried for that. */
  async knownUsers(count: number): Promise<string[]> {
    const users: string[] = [];
    for (let index = 0; index < count; index++)
      users.push(await this.storefront.signUp(`faults-${randomUUID()}@example.com`, `Customer ${index + 1}`));
    await eventually(
      `${count} users known to the order service`,
      async () =>
        Number(
          (await this.query<{ n: string }>(Services.order, 'SELECT count(*) AS n FROM "user" WHERE id = ANY($1::uuid[])', [users]))[0]?.n,
        ),
      (known) => known === count,
      60_000,
    );
    return users;
  }

  /** A product to order from, with its stock set to `stock` in the inventory's database. */
  async productWithStock(index: number, stock: number): Promise<Product> {
    const products = await this.storefront.products();
    const product = products[index % products.length];
    if (!product) throw new Error('the catalogue is empty');
    await this.query(Services.inventory, 'UPDATE product SET available = $2 WHERE sku = $1', [product.sku, stock]);
    return { ...product, available: stock };
  }

  async stockOf(sku: string): Promise<number> {
    const [row] = await this.query<{ available: number }>(Services.inventory, 'SELECT available FROM product WHERE sku = $1', [sku]);
    if (!row) throw new Error(`no product ${sku}`);
    return row.available;
  }

  /**
   * Places the orders with at most `concurrency` requests in flight, retrying a 5xx or a request without an answer
   * with backoff like a real client, for up to `giveUpMs` per order.
   */
  async placeOrders(requests: readonly OrderRequest[], concurrency: number, giveUpMs = 60_000): Promise<Placement> {
    const placement: Placement = { accepted: [], attempts: 0, unavailable: 0, unavailableStatuses: [], unanswered: 0, abandoned: 0 };
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++] as OrderRequest;
        const orderId = await this.placeRetrying(request, placement, giveUpMs);
        if (orderId) placement.accepted.push(orderId);
        else placement.abandoned++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
    return placement;
  }

  /**
   * Customers checking out, `concurrency` at a time, each pausing `pauseMs` between orders, one-piece orders of `sku`,
   * each retried like a real client for up to `giveUpMs`, until `stop` is called; `placement` fills as orders are
   * accepted.
   */
  keepCheckingOut(
    users: readonly string[],
    sku: string,
    concurrency: number,
    giveUpMs = 120_000,
    pauseMs = 100,
  ): { placement: Placement; stop: () => Promise<Placement> } {
    const total: Placement = { accepted: [], attempts: 0, unavailable: 0, unavailableStatuses: [], unanswered: 0, abandoned: 0 };
    let placing = true;
    const customer = async (index: number) => {
      while (placing) {
        const placement = await this.placeOrders(onePieceOrders(1, users.slice(index % users.length), sku), 1, giveUpMs);
        total.accepted.push(...placement.accepted);
        total.attempts += placement.attempts;
        total.unavailable += placement.unavailable;
        total.unavailableStatuses.push(...placement.unavailableStatuses);
        total.unanswered += placement.unanswered;
        total.abandoned += placement.abandoned;
        await sleep(pauseMs);
      }
    };
    const customers = Promise.all(Array.from({ length: concurrency }, (_, index) => customer(index)));
    return {
      placement: total,
      stop: async () => {
        placing = false;
        await customers;
        return total;
      },
    };
  }

  /**
   * Polls the order service's database until every order is confirmed or cancelled, or the time is up; an order
   * still pending or missing then is lost.
   */
  async settle(orderIds: readonly string[], timeoutMs: number): Promise<Map<string, FinalOrder>> {
    const finals = new Map<string, FinalOrder>();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const open = orderIds.filter((id) => !finals.has(id));
      if (open.length === 0 || Date.now() > deadline) break;
      const rows = await this.query<{ id: string; status: FinalOrder['status']; reason: string | null }>(
        Services.order,
        `SELECT id, status, reason FROM "order" WHERE id = ANY($1::uuid[]) AND status <> 'pending'`,
        [open],
      );
      const now = Date.now();
      for (const row of rows) finals.set(row.id, { status: row.status, reason: row.reason, settledAt: now });
      if (rows.length < open.length) await sleep(200);
    }
    return finals;
  }

  /** Per order: reservation lines it holds, charges, and mails about it (each once, when nothing happened twice). */
  async effectsOf(orderIds: readonly string[]): Promise<Effects> {
    const reservations = await this.query<{ order_id: string; n: string }>(
      Services.inventory,
      `SELECT order_id, count(*) AS n FROM reservation WHERE order_id = ANY($1::uuid[]) AND status = 'held' GROUP BY order_id`,
      [orderIds],
    );
    const charges = await this.query<{ order_id: string; n: string }>(
      Services.payment,
      `SELECT order_id, count(*) AS n FROM charge WHERE order_id = ANY($1::uuid[]) AND status = 'succeeded' GROUP BY order_id`,
      [orderIds],
    );
    const subjects = await this.query<{ subject: string }>(Services.email, `SELECT subject FROM sent_mail WHERE template <> 'welcome'`);
    const wanted = new Set(orderIds);
    const mails = new Map<string, number>();
    for (const { subject } of subjects) {
      const orderId = /order ([0-9a-f-]{36})/.exec(subject)?.[1];
      if (orderId && wanted.has(orderId)) mails.set(orderId, (mails.get(orderId) ?? 0) + 1);
    }
    const counts = (rows: Array<{ order_id: string; n: string }>) => new Map(rows.map((row) => [row.order_id, Number(row.n)]));
    return new Effects(orderIds, counts(reservations), counts(charges), mails);
  }

  /** Waits until every order has its mail, then returns the effects. */
  async settledEffectsOf(orderIds: readonly string[], timeoutMs = 60_000): Promise<Effects> {
    return eventually(
      `a mail for each of ${orderIds.length} orders`,
      () => this.effectsOf(orderIds),
      (effects) => effects.withoutMail().length === 0,
      timeoutMs,
    );
  }

  async query<T extends Record<string, unknown>>(service: string, sql: string, values: unknown[] = []): Promise<T[]> {
    return queryServiceDatabase<T>(await this.databaseUrl(), service, sql, values);
  }

  /**
   * The client makes the order id once and sends it again on every retry: a request whose answer was lost may
   * still have placed the order, and the order service places an id only once.
   */
  private async placeRetrying(request: OrderRequest, placement: Placement, giveUpMs: number): Promise<string | undefined> {
    const deadline = Date.now() + giveUpMs;
    // The customer's own session (they signed up through this.storefront, see knownUsers), and one order id for
    // every attempt: the storefront answers a retry as it answered the first, and places the order once.
    const body = JSON.stringify({ ...request, orderId: uuidv7() });
    const cookie = this.storefront.sessionCookie(request.userId);
    for (let pause = 250; Date.now() < deadline; pause = Math.min(pause * 2, 2_000)) {
      placement.attempts++;
      let response: Response;
      try {
        response = await fetch(`${this.shop.storefrontUrl}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body,
          signal: AbortSignal.timeout(15_000),
        });
      } catch {
        placement.unanswered++;
        await sleep(pause);
        continue;
      }
      const text = await response.text();
      if (response.status === 202) return (JSON.parse(text) as { orderId: string }).orderId;
      if (response.status < 500) throw new Error(`POST /api/orders answered ${response.status}: ${text}`);
      placement.unavailable++;
      placement.unavailableStatuses.push(String(response.status));
      await sleep(pause);
    }
    return undefined;
  }
}

export class Effects {
  constructor(
    readonly orderIds: readonly string[],
    readonly reservations: ReadonlyMap<string, number>,
    readonly charges: ReadonlyMap<string, number>,
    readonly mails: ReadonlyMap<string, number>,
  ) {}

  withoutMail(): string[] {
    return this.orderIds.filter((id) => !this.mails.has(id));
  }

  /** Orders whose effect is not exactly one (of what `of` counts), as `id: count`. */
  notOnce(of: 'reservations' | 'charges' | 'mails'): string[] {
    return this.orderIds.filter((id) => (this[of].get(id) ?? 0) !== 1).map((id) => `${id}: ${this[of].get(id) ?? 0}`);
  }

  total(of: 'reservations' | 'charges' | 'mails'): number {
    return [...this[of].values()].reduce((sum, count) => sum + count, 0);
  }
}

/** Runs `work` while the fault lasts, and ends the fault however `work` ends. */
export async function during<T>(fault: Promise<Restore>, work: () => Promise<T>): Promise<T> {
  const restore = await fault;
  try {
    return await work();
  } finally {
    await restore();
  }
}

/** Every accepted order final and confirmed, stock taken once per order, one charge and one mail each, no dead letter. */
export async function expectEveryOrderOnce(
  shop: FaultShop,
  total: Placement,
  product: { sku: string; available: number },
  deadLettersBefore: number,
  what: string,
  extra: Record<string, number | string | (() => number)>,
): Promise<void> {
  const finals = await shop.settle(total.accepted, 180_000);
  const lost = total.accepted.filter((id) => !finals.has(id));
  const effects = await shop.settledEffectsOf(total.accepted, 120_000).catch(() => shop.effectsOf(total.accepted));
  const stockTaken = product.available - (await shop.stockOf(product.sku));
  const deadLetters = (await shop.deadLetterCount()) - deadLettersBefore;
  const dead = await shop.deadProcesses();
  const figures: Record<string, number | string> = {
    sent: total.accepted.length,
    handled: finals.size,
    lost: lost.length,
    'dead letters': deadLetters,
    POSTs: total.attempts,
    '5xx retried': tally(total.unavailableStatuses),
    'unanswered retried': total.unanswered,
    'stock taken': stockTaken,
    charges: effects.total('charges'),
    mails: effects.total('mails'),
  };
  for (const [name, value] of Object.entries(extra)) figures[name] = typeof value === 'function' ? value() : value;
  printFigures(what, shop.faults.name, figures);

  expect(dead).toEqual([]);
  expect(total.abandoned).toBe(0);
  expect(lost).toEqual([]);
  expect(deadLetters).toBe(0);
  expect([...finals.values()].filter((final) => final.status !== 'confirmed')).toEqual([]);
  expect(stockTaken).toBe(total.accepted.length);
  expect(effects.notOnce('reservations')).toEqual([]);
  expect(effects.notOnce('charges')).toEqual([]);
  expect(effects.notOnce('mails')).toEqual([]);
}

/** `<what> (<transport>): sent 200, handled 200, duplicates absorbed 3, lost 0`, printed where jest does not wrap it. */
export function printFigures(what: string, transport: string, figures: Readonly<Record<string, number | string>>): string {
  const line = `${what} (${transport}): ${Object.entries(figures)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ')}`;
  process.stdout.write(`\n${line}\n`);
  return line;
}

/** `n` one-piece orders of `sku`, the users taking turns. */
export function onePieceOrders(n: number, users: readonly string[], sku: string): OrderRequest[] {
  return Array.from({ length: n }, (_, index) => ({ userId: users[index % users.length] as string, items: [{ sku, quantity: 1 }] }));
}

/** `503×4 500×1` */
export function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${value}×${count}`).join(' ') || 'none';
}

/** The shop's PostgreSQL, which the services reach through a proxy the test can cut. */
class ProxiedDatabase {
  private constructor(
    private readonly server: EmbeddedPostgres,
    readonly proxy: TcpCutProxy,
  ) {}

  static async start(dataDir: string): Promise<ProxiedDatabase> {
    const server = await startEmbeddedPostgres({ dataDir, throwAway: true });
    try {
      return new ProxiedDatabase(server, await TcpCutProxy.start({ host: '127.0.0.1', port: server.port }));
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  get directUrl(): string {
    return this.server.url;
  }

  get proxiedUrl(): string {
    const url = new URL(this.server.url);
    url.port = String(this.proxy.port);
    return url.toString();
  }

  async stop(): Promise<void> {
    try {
      await this.proxy.close();
    } finally {
      await this.server.stop();
    }
  }
}
