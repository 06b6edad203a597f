import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubProduct {
  sku: string;
  name: string;
  priceCents: number;
  available: number;
}

export interface StubOrder {
  orderId: string;
  /** The customer, as order-service answers it; the storefront shows the order to them only. */
  userId: string;
  status: 'pending' | 'confirmed' | 'cancelled';
  reason?: string;
  items: { sku: string; quantity: number; unitPriceCents: number }[];
  totalCents: number;
  correlationId?: string;
  /** When order-service stored it; the stub answers the time it was asked when the test gives none. */
  placedAt?: string;
}

export const stubProducts: StubProduct[] = [
  { sku: 'TEE-WHT-M', name: 'Organic cotton T-shirt, white, M', priceCents: 1_999, available: 250 },
  { sku: 'HOODIE-GRY-M', name: 'Heavyweight hoodie, grey, M', priceCents: 5_999, available: 120 },
  { sku: 'SCARF-LTD', name: 'Limited scarf', priceCents: 3_500, available: 3 },
];

/**
 * Real HTTP servers standing in for inventory-, order- and notification-service, answering what their HTTP
 * API promises: canned products, orders the test puts in `orders`, and a notification stream the test feeds.
 */
export class StubServices {
  readonly orders = new Map<string, StubOrder>();
  readonly notificationQueries: URLSearchParams[] = [];
  /** The Last-Event-ID header of each notification stream opened, if any. */
  readonly notificationLastEventIds: Array<string | string[] | undefined> = [];
  /** When set, inventory-service answers 500, as a service that is up but failing. */
  inventoryFailing = false;
  private readonly streams = new Map<ServerResponse, string | undefined>();
  private readonly servers: Server[] = [];

  private constructor(
    readonly inventoryUrl: string,
    readonly orderUrl: string,
    readonly notificationUrl: string,
  ) {}

  static async start(): Promise<StubServices> {
    const stubs = new StubServices('', '', '');
    const urls = await Promise.all([
      stubs.listen((path, response) => stubs.inventory(path, response)),
      stubs.listen((path, response, query) => stubs.order(path, response, query)),
      stubs.listen((path, response, query, headers) => stubs.notifications(path, response, query, headers)),
    ]);
    return Object.assign(stubs, { inventoryUrl: urls[0], orderUrl: urls[1], notificationUrl: urls[2] });
  }

  /**
   * Sends one server-sent event to every open notification stream that may have it: like notification-service, a
   * stream opened with `?userId=` gets only that user's notifications, one opened without it every one.
   */
  notify(data: { userId?: string } & Record<string, unknown>): void {
    for (const [stream, userId] of this.streams) if (!userId || userId === data.userId) stream.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  get openNotificationStreams(): number {
    return this.streams.size;
  }

  async close(): Promise<void> {
    for (const stream of this.streams.keys()) stream.end();
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))),
    );
  }

  private inventory(path: string, response: ServerResponse): void {
    if (this.inventoryFailing) return json(response, 500, { message: 'database is down' });
    if (path === '/products') return json(response, 200, stubProducts);
    const product = stubProducts.find((p) => path === `/products/${p.sku}`);
    return product ? json(response, 200, product) : json(response, 404, { message: 'not found' });
  }

  private order(path: string, response: ServerResponse, query: URLSearchParams): void {
    const answered = (order: StubOrder) => ({ ...order, placedAt: order.placedAt ?? new Date().toISOString() });
    if (path === '/orders') {
      const customerId = query.get('customerId');
      if (!customerId) return json(response, 400, { message: 'customerId must be a UUID' });
      const theirs = [...this.orders.values()].filter((order) => order.userId === customerId).map(answered);
      return json(
        response,
        200,
        theirs.sort((a, b) => b.placedAt.localeCompare(a.placedAt)),
      );
    }
    const match = /^\/orders\/([^/]+)$/.exec(path);
    const order = match ? this.orders.get(decodeURIComponent(match[1]!)) : undefined;
    return order ? json(response, 200, answered(order)) : json(response, 404, { message: 'not found' });
  }

  private notifications(path: string, response: ServerResponse, query: URLSearchParams, headers: IncomingHttpHeaders): void {
    if (path !== '/notifications') return json(response, 404, { message: 'not found' });
    this.notificationQueries.push(query);
    this.notificationLastEventIds.push(headers['last-event-id']);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.write(': connected\n\n');
    this.streams.set(response, query.get('userId') ?? undefined);
    response.on('close', () => this.streams.delete(response));
  }

  private async listen(
    handle: (path: string, response: ServerResponse, query: URLSearchParams, headers: IncomingHttpHeaders) => void,
  ): Promise<string> {
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://stub');
      handle(url.pathname, response, url.searchParams, request.headers);
    });
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
