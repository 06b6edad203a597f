// The storefront's HTTP API as its OpenAPI document (`/docs-json`) and apps/storefront/README.md describe it, seen from a customer.

import { until } from '@stitch/waiting-testing';

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly available: number;
}

export interface OrderLineRequest {
  readonly sku: string;
  readonly quantity: number;
}

export type OrderStatus = 'pending' | 'confirmed' | 'cancelled';

export interface OrderView {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly reason?: string;
  readonly items: readonly unknown[];
  readonly totalCents: number;
  /** The checkout's correlation id: every message of the checkout carries it. */
  readonly correlationId?: string;
  readonly placedAt: string;
}

/**
 * Many customers' browsers at once: each customer who signs up through it gets the session cookie the storefront
 * set, and every later call for that customer (their orders, their order's status) sends it, as their browser would.
 */
export class StorefrontClient {
  /** The `stitch_session=…` cookie of each customer, by user id. */
  private readonly sessions = new Map<string, string>();
  /** Who placed each order, so its status is asked for with that customer's session. */
  private readonly customers = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  products(): Promise<Product[]> {
    return this.call('GET', '/api/products', 200);
  }

  async signUp(email: string, name: string): Promise<string> {
    const response = await this.request('POST', '/api/users', undefined, { email, name });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`POST /api/users answered ${response.status}, expected 201: ${text}`);
    const { userId } = JSON.parse(text) as { userId: string };
    const cookie = sessionCookieOf(response);
    if (!cookie) throw new Error('POST /api/users set no stitch_session cookie');
    this.sessions.set(userId, cookie);
    return userId;
  }

  /** The `cookie` header of a customer's session, for calls made by hand (a notification stream, a fuzzer). */
  sessionCookie(userId: string): string {
    const cookie = this.sessions.get(userId);
    if (!cookie) throw new Error(`customer ${userId} did not sign up through this client: no session`);
    return cookie;
  }

  async placeOrder(userId: string, items: readonly OrderLineRequest[], card?: string): Promise<string> {
    const answer = await this.call<{ orderId: string; status: string }>(
      'POST',
      '/api/orders',
      202,
      { userId, items, ...(card ? { card } : {}) },
      userId,
    );
    if (answer.status !== 'pending') throw new Error(`POST /api/orders answered status "${answer.status}", expected "pending"`);
    this.customers.set(answer.orderId, userId);
    return answer.orderId;
  }

  /** The order, asked with the session of the customer who placed it (or of `userId`). */
  order(orderId: string, userId = this.customers.get(orderId)): Promise<OrderView> {
    if (!userId) throw new Error(`order ${orderId} was not placed through this client: whose session should ask for it?`);
    return this.call('GET', `/api/orders/${orderId}`, 200, undefined, userId);
  }

  /** Polls until the order is confirmed or cancelled. */
  finalOrder(orderId: string, timeoutMs: number): Promise<OrderView> {
    return eventually(
      `order ${orderId} to be confirmed or cancelled`,
      () => this.order(orderId),
      (order) => order.status !== 'pending',
      timeoutMs,
    );
  }

  private async call<T>(method: 'GET' | 'POST', path: string, expectedStatus: number, body?: unknown, asUser?: string): Promise<T> {
    const response = await this.request(method, path, asUser, body);
    const text = await response.text();
    if (response.status !== expectedStatus)
      throw new Error(`${method} ${path} answered ${response.status}, expected ${expectedStatus}: ${text}`);
    return JSON.parse(text) as T;
  }

  private request(method: 'GET' | 'POST', path: string, asUser: string | undefined, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(asUser === undefined ? {} : { cookie: this.sessionCookie(asUser) }),
    };
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
  }
}

/** `stitch_session=…` from a sign-up's Set-Cookie, without its attributes: what a browser sends back. */
export function sessionCookieOf(response: Response): string | undefined {
  return response.headers
    .getSetCookie()
    .find((header) => header.startsWith('stitch_session='))
    ?.split(';')[0];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `read` until `done` holds for its value, and answers that value; the error says what was expected and what was last seen. */
export async function eventually<T>(what: string, read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  let last: { value: T } | undefined;
  await until(
    what,
    async () => {
      last = { value: await read() };
      return done(last.value);
    },
    { timeoutMs, intervalMs: 250, state: () => `last seen: ${JSON.stringify(last?.value)}` },
  );
  return (last as { value: T }).value;
}
