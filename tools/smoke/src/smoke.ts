import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** The card the storefront's simulated provider approves. */
export const APPROVED_CARD = '4242424242424242';

export interface SmokeOptions {
  /** The storefront's base URL, e.g. http://127.0.0.1:3000 (a trailing slash is ignored). */
  readonly url: URL;
  /** How long the whole run may take, the wait for the order's confirmation included. */
  readonly timeoutMs: number;
}

export interface SmokeDeps {
  readonly fetch: typeof fetch;
  readonly print: (line: string) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** How often the order's status is asked for while it is pending. */
  readonly pollMs?: number;
}

/** A step that failed, with the one line that says why. */
export class StepFailure extends Error {}

interface Product {
  readonly sku: string;
  readonly available: number;
}

/**
 * One customer's visit through the storefront's public HTTP API, as a browser makes it: health, the catalogue,
 * sign-up (the session is the HTTP-only cookie it answers with), one order placed under an idempotency key (a
 * UUIDv7, sent again on a retry), and the order's status until it is confirmed. Writes are JSON without Origin or
 * Sec-Fetch-Site, as a client that is not a browser sends them, so the same-site rule judges them by content type.
 * Prints one line per step; resolves to whether every step passed.
 */
export async function runSmoke(options: SmokeOptions, deps: SmokeDeps): Promise<boolean> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  const base = options.url.href.replace(/\/+$/, '');
  let cookie: string | undefined;

  const request = async (
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; text: string; response: Response }> => {
    const left = deadline - now();
    if (left <= 0) throw new StepFailure(`no time left (--timeout ${options.timeoutMs} ms)`);
    let response: Response;
    try {
      response = await deps.fetch(`${base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(cookie ? { cookie } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.min(left, 15_000)),
      });
    } catch (error) {
      throw new StepFailure(`${method} ${base}${path}: ${unreachable(error)}`);
    }
    return { status: response.status, text: await response.text(), response };
  };

  const expectStatus = (answer: { status: number; text: string }, method: string, path: string, expected: number) => {
    if (answer.status !== expected)
      throw new StepFailure(
        `${method} ${path} answered ${answer.status}, expected ${expected}${answer.text ? `: ${oneLine(answer.text)}` : ''}`,
      );
  };

  const json = <T>(text: string, what: string): T => {
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new StepFailure(`${what} is not JSON: ${oneLine(text)}`);
    }
  };

  let sku = '';
  let orderId = '';
  // A step may answer what it found worth a reader's while: printed after its time.
  const steps: readonly [string, () => Promise<string | void>][] = [
    ['storefront answers', async () => expectStatus(await request('GET', '/health/live'), 'GET', '/health/live', 200)],
    [
      'products',
      async () => {
        const answer = await request('GET', '/api/products');
        expectStatus(answer, 'GET', '/api/products', 200);
        const products = json<Product[]>(answer.text, 'GET /api/products');
        const inStock = Array.isArray(products) ? products.find((product) => product.available > 0) : undefined;
        if (!inStock) throw new StepFailure('GET /api/products lists no product in stock');
        sku = inStock.sku;
      },
    ],
    [
      'sign-up',
      async () => {
        const answer = await request('POST', '/api/users', { email: `smoke-${randomUUID()}@example.com`, name: 'Smoke Test' });
        expectStatus(answer, 'POST', '/api/users', 201);
        cookie = answer.response.headers
          .getSetCookie()
          .find((header) => header.startsWith('stitch_session='))
          ?.split(';')[0];
        if (!cookie) throw new StepFailure('POST /api/users set no stitch_session cookie');
      },
    ],
    [
      'checkout',
      async () => {
        const idempotencyKey = uuidv7();
        const order = { orderId: idempotencyKey, items: [{ sku, quantity: 1 }], card: APPROVED_CARD };
        const answer = await request('POST', '/api/orders', order);
        expectStatus(answer, 'POST', '/api/orders', 202);
        const accepted = json<{ orderId?: string; status?: string }>(answer.text, 'POST /api/orders');
        if (accepted.orderId !== idempotencyKey || accepted.status !== 'pending')
          throw new StepFailure(`POST /api/orders answered ${oneLine(answer.text)}, expected order ${idempotencyKey} pending`);
        orderId = idempotencyKey;
      },
    ],
    [
      'order confirmed',
      async () => {
        for (;;) {
          const answer = await request('GET', `/api/orders/${orderId}`);
          expectStatus(answer, 'GET', `/api/orders/${orderId}`, 200);
          const view = json<{ status?: string; reason?: string; correlationId?: string }>(answer.text, `GET /api/orders/${orderId}`);
          // The correlation id finds the checkout's every message and span (flow view, traces, logs).
          if (view.status === 'confirmed') return `order ${orderId}, correlation id ${view.correlationId ?? 'not answered'}`;
          if (view.status !== 'pending')
            throw new StepFailure(`order ${orderId} is ${view.status}${view.reason ? ` (${view.reason})` : ''}, expected confirmed`);
          if (now() + (deps.pollMs ?? 250) >= deadline)
            throw new StepFailure(`order ${orderId} still pending after --timeout ${options.timeoutMs} ms`);
          await sleep(deps.pollMs ?? 250);
        }
      },
    ],
  ];

  for (const [name, step] of steps) {
    const started = now();
    try {
      const found = await step();
      deps.print(`ok  ${name} (${now() - started} ms)${found ? `: ${found}` : ''}`);
    } catch (error) {
      deps.print(`FAIL ${name}: ${error instanceof StepFailure ? error.message : oneLine(String(error))}`);
      return false;
    }
  }
  return true;
}

/** Why a request got no answer, in words: fetch's own message is only "fetch failed". */
function unreachable(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'no answer in time';
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the storefront running there?)';
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return 'unknown host';
  return oneLine(cause?.message ?? (error instanceof Error ? error.message : String(error)));
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
