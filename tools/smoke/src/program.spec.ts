import { parseSmokeArgs, runSmokeProgram } from './program';
import { APPROVED_CARD } from './smoke';

/** A storefront in memory: answers as the real one does, and records what it was sent. */
function fakeStorefront(options: { pendingPolls?: number; finalStatus?: string; down?: boolean } = {}) {
  const calls: { method: string; url: string; headers: Record<string, string>; body?: unknown }[] = [];
  let polls = 0;
  const fake = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ method, url, headers, ...(init?.body ? { body: JSON.parse(String(init.body)) } : {}) });
    if (options.down)
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const path = new URL(url).pathname;
    const json = (status: number, body: unknown, extra: Record<string, string> = {}) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...extra } });
    if (path === '/health/live') return json(200, { status: 'ok' });
    if (path === '/api/products')
      return json(200, [
        { sku: 'SOLD-OUT', name: 'Gone', priceCents: 100, available: 0 },
        { sku: 'TEE-1', name: 'Tee', priceCents: 1500, available: 3 },
      ]);
    if (path === '/api/users' && method === 'POST')
      return json(
        201,
        { userId: '0190b6a0-0000-7000-8000-000000000001' },
        { 'set-cookie': 'stitch_session=s%3Aabc.def; Path=/; HttpOnly; SameSite=Strict' },
      );
    if (path === '/api/orders' && method === 'POST') {
      if (headers['cookie'] !== 'stitch_session=s%3Aabc.def') return json(401, { message: 'no session' });
      return json(202, { orderId: (calls.at(-1)?.body as { orderId: string }).orderId, status: 'pending' });
    }
    if (path.startsWith('/api/orders/')) {
      polls += 1;
      const status = polls <= (options.pendingPolls ?? 0) ? 'pending' : (options.finalStatus ?? 'confirmed');
      return json(200, {
        orderId: path.split('/').at(-1),
        status,
        ...(status === 'cancelled' ? { reason: 'payment declined' } : {}),
        items: [],
        totalCents: 1500,
        correlationId: 'checkout-smoke',
        placedAt: '2026-12-01T10:00:00.000Z',
      });
    }
    return json(404, { message: 'not found' });
  }) as typeof fetch;
  return { fake, calls };
}

/** A clock the fake sleep moves, so polling and deadlines run at once. */
function run(argv: string[], storefront: ReturnType<typeof fakeStorefront>) {
  let clock = 1_000_000;
  const lines: string[] = [];
  const errors: string[] = [];
  const code = runSmokeProgram(argv, {
    fetch: storefront.fake,
    print: (line) => lines.push(line),
    err: (line) => errors.push(line),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    pollMs: 500,
  });
  return code.then((exit) => ({ exit, lines, errors }));
}

describe('smoke arguments', () => {
  const quiet = { print: () => undefined, err: () => undefined };

  it('takes the storefront URL and a timeout in seconds (60 by default)', () => {
    expect(parseSmokeArgs(['--url', 'http://127.0.0.1:3000'], quiet)).toEqual({ url: new URL('http://127.0.0.1:3000'), timeoutMs: 60_000 });
    expect(parseSmokeArgs(['--url', 'https://shop.example/', '--timeout', '2.5'], quiet).timeoutMs).toBe(2500);
  });

  it.each([
    [['--url', 'not a url'], /not a URL/],
    [['--url', 'ftp://127.0.0.1'], /not an http or https URL/],
    [['--url', 'http://127.0.0.1:3000/?x=1'], /without a query/],
    [['--url', 'http://127.0.0.1:3000', '--timeout', '0'], /positive number of seconds/],
    [[], /required option '--url <url>' not specified/],
    [['--url', 'http://127.0.0.1:3000', 'extra'], /too many arguments/],
  ])('refuses %j with one line and exit code 1', async (argv, message) => {
    const { exit, lines, errors } = await run(argv, fakeStorefront());
    expect(exit).toBe(1);
    expect(lines).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });
});

describe('smoke run', () => {
  it('signs up, checks out once under an idempotency key and waits for the confirmation, one ok line per step', async () => {
    const storefront = fakeStorefront({ pendingPolls: 3 });
    const { exit, lines, errors } = await run(['--url', 'http://127.0.0.1:3000/'], storefront);
    expect(errors).toEqual([]);
    expect(lines).toEqual([
      expect.stringMatching(/^ok {2}storefront answers \(\d+ ms\)$/),
      expect.stringMatching(/^ok {2}products \(\d+ ms\)$/),
      expect.stringMatching(/^ok {2}sign-up \(\d+ ms\)$/),
      expect.stringMatching(/^ok {2}checkout \(\d+ ms\)$/),
      expect.stringMatching(/^ok {2}order confirmed \(1500 ms\): order [0-9a-f-]{36}, correlation id checkout-smoke$/),
    ]);
    expect(exit).toBe(0);
    const order = storefront.calls.find((call) => call.method === 'POST' && call.url.endsWith('/api/orders'));
    expect(order?.url).toBe('http://127.0.0.1:3000/api/orders');
    expect(order?.headers['content-type']).toBe('application/json');
    expect(order?.body).toEqual({
      orderId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      items: [{ sku: 'TEE-1', quantity: 1 }],
      card: APPROVED_CARD,
    });
    // Every call after sign-up carries the session, and only its name=value.
    const polls = storefront.calls.filter((call) => call.url.includes('/api/orders/'));
    expect(polls).toHaveLength(4);
    for (const poll of polls) expect(poll.headers['cookie']).toBe('stitch_session=s%3Aabc.def');
  });

  it('fails the step that fails, with why, and stops there', async () => {
    const { exit, lines } = await run(['--url', 'http://127.0.0.1:3000'], fakeStorefront({ finalStatus: 'cancelled' }));
    expect(exit).toBe(1);
    expect(lines.at(-1)).toMatch(/^FAIL order confirmed: order [0-9a-f-]+ is cancelled \(payment declined\), expected confirmed$/);
    expect(lines.filter((line) => line.startsWith('FAIL'))).toHaveLength(1);
  });

  it('gives up on a pending order at the deadline', async () => {
    const { exit, lines } = await run(['--url', 'http://127.0.0.1:3000', '--timeout', '5'], fakeStorefront({ pendingPolls: 1000 }));
    expect(exit).toBe(1);
    expect(lines.at(-1)).toMatch(/^FAIL order confirmed: order [0-9a-f-]+ still pending after --timeout 5000 ms$/);
  });

  it('says in one line that nothing answers at the URL', async () => {
    const { exit, lines } = await run(['--url', 'http://127.0.0.1:9'], fakeStorefront({ down: true }));
    expect(exit).toBe(1);
    expect(lines).toEqual([
      'FAIL storefront answers: GET http://127.0.0.1:9/health/live: connection refused (is the storefront running there?)',
    ]);
  });
});
