// The storefront's HTTP API as DESIGN.md documents it, seen from a customer.

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
}

export class StorefrontClient {
  constructor(readonly baseUrl: string) {}

  products(): Promise<Product[]> {
    return this.call('GET', '/api/products', 200);
  }

  async signUp(email: string, name: string): Promise<string> {
    const { userId } = await this.call<{ userId: string }>('POST', '/api/users', 201, { email, name });
    return userId;
  }

  async placeOrder(userId: string, items: readonly OrderLineRequest[], card?: string): Promise<string> {
    const answer = await this.call<{ orderId: string; status: string }>('POST', '/api/orders', 202, { userId, items, ...(card ? { card } : {}) });
    if (answer.status !== 'pending') throw new Error(`POST /api/orders answered status "${answer.status}", expected "pending"`);
    return answer.orderId;
  }

  order(orderId: string): Promise<OrderView> {
    return this.call('GET', `/api/orders/${orderId}`, 200);
  }

  /** Polls until the order is confirmed or cancelled. */
  async finalOrder(orderId: string, timeoutMs: number): Promise<OrderView> {
    const deadline = Date.now() + timeoutMs;
    let last: OrderView | undefined;
    while (Date.now() < deadline) {
      last = await this.order(orderId);
      if (last.status !== 'pending') return last;
      await sleep(250);
    }
    throw new Error(`order ${orderId} was still not confirmed or cancelled after ${timeoutMs / 1000} s; last answer: ${JSON.stringify(last)}`);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, expectedStatus: number, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (response.status !== expectedStatus) throw new Error(`${method} ${path} answered ${response.status}, expected ${expectedStatus}: ${text}`);
    return JSON.parse(text) as T;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `read` until `done` holds for its value; the error says what was expected and what was last seen. */
export async function eventually<T>(what: string, read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await sleep(250);
  }
}
