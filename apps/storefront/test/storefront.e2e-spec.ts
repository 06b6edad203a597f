import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import {
  createEnvelope,
  toOutgoingMessage,
  type Delivery,
  type FlowRecord,
  type ReplicaStartedRecord,
  type IncomingMessage,
  type Source,
} from '@stitch/messaging-core';
import { readStructuredCloudEvent } from '@stitch/messaging-core/testing';
import { createLocalTransport, type LocalTransport } from '@stitch/messaging-local';
import { localTransportFile } from '@stitch/messaging-transports';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpHttpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ServiceTracer } from './support/service-tracer';
import { StorefrontProcess } from './support/storefront-process';
import { StubServices } from './support/stub-services';

const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const hasChromium = existsSync(executablePath);
if (!hasChromium)
  process.stderr.write(`Chromium not found at ${executablePath} (set CHROMIUM_PATH): skipping the storefront browser test\n`);

(hasChromium ? describe : describe.skip)('the storefront in a browser', () => {
  const operatorToken = `operator-${randomUUID()}`;
  let dataDir: string;
  let stubs: StubServices;
  let postgres: TestPostgres;
  let storefront: StorefrontProcess;
  let transport: LocalTransport;
  let browser: Browser;
  let page: Page;
  /** Everything the page got wrong in the whole run: script errors, console errors, failed requests and answers of 400 or more. */
  const pageProblems: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-storefront-e2e-'));
    [stubs, postgres] = await Promise.all([StubServices.start(), startTestPostgres()]);
    storefront = await StorefrontProcess.start({
      STITCH_DATA_DIR: dataDir,
      DATABASE_URL: postgres.url,
      SESSION_SECRET: randomUUID() + randomUUID(),
      INVENTORY_URL: stubs.inventoryUrl,
      ORDER_URL: stubs.orderUrl,
      NOTIFICATION_URL: stubs.notificationUrl,
      OPERATOR_TOKEN: operatorToken,
    });
    // The same bus file the storefront uses, as another service of the run would open it.
    transport = createLocalTransport({ topology: shopCatalogue.topology(), file: localTransportFile(dataDir) });
    await transport.start();
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    page = await browser.newPage();
    page.on('pageerror', (error) => pageProblems.push(`script error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(`console error: ${message.text()} at ${pathOf(message.location().url)}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) pageProblems.push(`${response.request().method()} ${pathOf(response.url())} ${response.status()}`);
    });
    page.on('requestfailed', (request) => {
      // A reload ends the live streams the page had open: the browser aborts them, which is no failure.
      const endedByReload = request.resourceType() === 'eventsource' && request.failure()?.errorText === 'net::ERR_ABORTED';
      if (!endedByReload) pageProblems.push(`${request.method()} ${pathOf(request.url())} failed: ${request.failure()?.errorText}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await storefront?.stop();
    await transport?.close();
    await stubs?.close();
    await postgres?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * True when the first match's top left corner is on screen, its height within the window, and nothing covers it there;
   * else what is wrong, for the failure message.
   */
  async function inView(selector: string): Promise<true | string> {
    return page.evaluate(`((selector) => {
      const element = document.querySelector(selector);
      const box = element.getBoundingClientRect();
      const where = selector + ' at ' + [box.left, box.top, box.right, box.bottom].map(Math.round).join(',') + ' in ' + innerWidth + 'x' + innerHeight;
      if (box.top < 0 || box.bottom > innerHeight || box.left < 0 || box.left >= innerWidth) return where + ': off screen';
      const hit = document.elementFromPoint(box.left + Math.min(box.width / 2, 8), box.top + Math.min(box.height / 2, 8));
      return element === hit || element.contains(hit) ? true : where + ': covered by ' + (hit ? hit.outerHTML.slice(0, 120) : 'nothing');
    })(${JSON.stringify(selector)})`);
  }

  /** What the order service would receive: the next `count` messages on its queue. */
  async function takeFromOrderQueue(count: number): Promise<{ type: string; correlationid: string; data: unknown }[]> {
    const received: { type: string; correlationid: string; data: unknown }[] = [];
    let done: () => void;
    const enough = new Promise<void>((resolve) => (done = resolve));
    const receiver = await transport.receive(
      { kind: 'queue', name: 'order-service' },
      async (delivery) => {
        received.push(readStructuredCloudEvent(delivery.message.body) as unknown as { type: string; correlationid: string; data: unknown });
        await delivery.complete();
        if (received.length >= count) done();
      },
      { concurrency: 1, lockMs: 10_000 },
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([enough, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    await receiver.close();
    return received;
  }

  it('signs up, places an order and follows it from pending to confirmed', async () => {
    await page.goto(storefront.url);
    await page.getByTestId('signup-name').fill('Ada Lovelace');
    await page.getByTestId('signup-email').fill('ada@example.com');
    await page.getByTestId('signup-submit').click();
    await page.getByTestId('current-user').filter({ hasText: 'Ada Lovelace' }).waitFor();
    const userId = await page.getByTestId('current-user').getAttribute('data-user-id');
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    // The session is a cookie the browser keeps and sends, and the page's scripts cannot read.
    const [session] = (await page.context().cookies()).filter((cookie) => cookie.name === 'stitch_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate<string>('document.cookie')).not.toContain('stitch_session');
    // The page's notification stream is the customer's own, through the session.
    for (let i = 0; i < 100 && !stubs.notificationQueries.some((query) => query.get('userId') === userId); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stubs.notificationQueries.map((query) => query.get('userId'))).toEqual([userId]);

    const row = page.locator('[data-testid="product-row"][data-sku="TEE-WHT-M"]');
    expect(await row.getByTestId('product-price').textContent()).toContain('19.99');
    expect(await row.getByTestId('product-available').textContent()).toBe('250');
    await page.getByTestId('qty-TEE-WHT-M').fill('2');
    expect(await page.getByTestId('order-total').textContent()).toContain('39.98');
    await page.getByTestId('card-input').fill('4242 4242 4242 4242');
    await page.getByTestId('place-order').click();

    const order = page.getByTestId('order').first();
    await order.getByTestId('order-status').filter({ hasText: 'pending' }).waitFor();
    const orderId = await order.getAttribute('data-order-id');
    expect(orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    // The form starts afresh once the order is accepted: a second click cannot order the same again.
    expect(await page.getByTestId('card-input').inputValue()).toBe('');
    expect(await page.getByTestId('qty-TEE-WHT-M').inputValue()).toBe('0');
    expect(await page.getByTestId('order-total').textContent()).toBe('Total: —');
    expect(await page.getByTestId('place-order').isDisabled()).toBe(true);
    const [placeOrder] = await takeFromOrderQueue(1);
    expect(placeOrder).toMatchObject({
      type: 'order.place-order.v1',
      data: { orderId, userId, paymentMethod: { token: 'tok_visa', last4: '4242' } },
    });
    expect(JSON.stringify(placeOrder)).not.toContain('4242424242424242');

    // The order knows its checkout's correlation id, the one its PlaceOrder carries, shows it, and filters the flow view to it.
    expect(await order.getAttribute('data-correlation-id')).toBe(placeOrder?.correlationid);
    expect(await order.getByTestId('order-correlation').textContent()).toBe(placeOrder?.correlationid);
    await order.getByTestId('order-flow').click();
    expect(await page.getByTestId('flow-filter').inputValue()).toBe(placeOrder?.correlationid);
    await page.getByTestId('flow-filter-clear').click();
    expect(await page.getByTestId('flow-filter').inputValue()).toBe('');

    // The order service stores and confirms the order; the page sees it on its next look, placed when order-service says.
    const placedAt = '2026-12-01T10:00:00.000Z';
    stubs.orders.set(orderId!, {
      orderId: orderId!,
      userId: userId!,
      status: 'confirmed',
      items: [{ sku: 'TEE-WHT-M', quantity: 2, unitPriceCents: 1_999 }],
      totalCents: 3_998,
      correlationId: placeOrder!.correlationid,
      placedAt,
    });
    await order.getByTestId('order-status').filter({ hasText: 'confirmed' }).waitFor({ timeout: 15_000 });
    expect(await order.getAttribute('data-status')).toBe('confirmed');
    expect(await order.getByTestId('order-placed').getAttribute('title')).toBe(placedAt);
    expect(await order.getByTestId('order-correlation').textContent()).toBe(placeOrder?.correlationid);
    expect(await order.textContent()).not.toContain('null');
  });

  it('draws an order’s trace from the spans the services export: one row per span, under its parent, with service and duration', async () => {
    const policyErrors: string[] = [];
    const onConsole = (message: { type(): string; text(): string }) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) policyErrors.push(message.text());
    };
    page.on('console', onConsole);
    const order = page.getByTestId('order').first();
    const correlationId = (await order.getAttribute('data-correlation-id'))!;
    await order.getByTestId('order-trace').click();
    expect(await page.getByTestId('trace-subject').textContent()).toBe(`Checkout ${correlationId}`);
    await page.getByTestId('trace-status').filter({ hasText: 'waiting for spans' }).waitFor();

    // The storefront and the order service export their spans of this checkout, as npm start has them do.
    const url = `${storefront.url}/otlp/v1/traces`;
    const shopFront = new ServiceTracer('storefront', new OtlpHttpJsonExporter({ url }));
    const orders = new ServiceTracer('order-service', new OtlpHttpProtobufExporter({ url }));
    const conversation = { 'messaging.message.conversation_id': correlationId };
    const t0 = Date.now() - 500;
    const request = shopFront.span({ name: 'POST /api/orders', kind: SpanKind.SERVER, startMs: t0, durationMs: 12.5 });
    const send = shopFront.span({
      name: 'send order.place-order.v1',
      kind: SpanKind.PRODUCER,
      parent: request,
      startMs: t0 + 4,
      durationMs: 2,
      attributes: conversation,
    });
    const handle = orders.span({
      name: 'process order.place-order.v1',
      kind: SpanKind.CONSUMER,
      parent: send,
      startMs: t0 + 30,
      durationMs: 40,
      attributes: conversation,
    });
    await Promise.all([shopFront.flush(), orders.flush()]);

    const rows = page.getByTestId('trace-span');
    await rows.nth(2).waitFor({ timeout: 15_000 });
    const drawn = async () =>
      rows.evaluateAll((items) =>
        items.map((item) =>
          [
            item.getAttribute('data-depth'),
            item.querySelector('[data-testid="trace-span-service"]')?.textContent,
            item.querySelector('[data-testid="trace-span-name"]')?.textContent,
            item.querySelector('[data-testid="trace-span-duration"]')?.textContent,
          ].join(' | '),
        ),
      );
    expect(await drawn()).toEqual([
      '0 | storefront | POST /api/orders | 12.5 ms',
      '1 | storefront | send order.place-order.v1 | 2 ms',
      '2 | order-service | process order.place-order.v1 | 40 ms',
    ]);
    expect(await page.getByTestId('trace-legend-service').allTextContents()).toEqual(['storefront', 'order-service']);
    // Each service its own colour; a bar placed and sized on the trace's time axis (70 ms in all here).
    const bars = [];
    for (const row of await rows.all()) {
      const bar = row.locator('.span-bar');
      const [barBox, trackBox] = [await bar.boundingBox(), await row.locator('.span-track').boundingBox()];
      bars.push({
        colour: await bar.evaluate(
          // The page's window: this spec is compiled without the DOM's types.
          (node) =>
            (globalThis as unknown as { getComputedStyle(element: unknown): { backgroundColor: string } }).getComputedStyle(node)
              .backgroundColor,
        ),
        left: Math.round(((barBox!.x - trackBox!.x) / trackBox!.width) * 100),
        width: Math.round((barBox!.width / trackBox!.width) * 100),
      });
    }
    expect(bars.map(({ left, width }) => [left, width])).toEqual([
      [0, 18],
      [6, 3],
      [43, 57],
    ]);
    expect(bars[0]!.colour).toBe(bars[1]!.colour);
    expect(bars[2]!.colour).not.toBe(bars[0]!.colour);

    // A span exported later joins the waterfall, under its parent, without reopening it.
    const inventory = new ServiceTracer('inventory-service', new OtlpHttpJsonExporter({ url }));
    inventory.span({
      name: 'process inventory.reserve-stock.v1',
      kind: SpanKind.CONSUMER,
      parent: handle,
      startMs: t0 + 50,
      durationMs: 5,
      attributes: { 'stitch.correlation_id': correlationId },
      error: 'out of stock',
    });
    await inventory.flush();
    await rows.nth(3).waitFor({ timeout: 15_000 });
    expect((await drawn())[3]).toBe('3 | inventory-service | process inventory.reserve-stock.v1 | 5 ms');
    expect(await rows.nth(3).getAttribute('data-status')).toBe('error');
    expect(await page.getByTestId('trace-status').textContent()).toBe('4 spans');

    await page.getByTestId('trace-close').click();
    await page.getByTestId('trace').waitFor({ state: 'hidden' });
    page.off('console', onConsole);
    await Promise.all([shopFront, orders, inventory].map((tracer) => tracer.shutdown()));
    expect(policyErrors).toEqual([]);
  });

  it('names the bad field when the card number is wrong', async () => {
    await page.getByTestId('qty-TEE-WHT-M').fill('1');
    await page.getByTestId('card-input').fill('4242 4242 4242 4241');
    await page.getByTestId('place-order').click();
    await page.getByTestId('form-error').filter({ hasText: 'card' }).waitFor();
    expect(await page.getByTestId('card-input').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('form-error').textContent()).not.toContain('4242424242424241');
  });

  it('shows flow records as they are published: one replica per command, one copy per subscribing service for an event', async () => {
    await page.getByTestId('flow-status').filter({ hasText: 'live' }).waitFor();
    const at = new Date().toISOString();
    const records: FlowRecord[] = [
      {
        messageId: 'cmd-1',
        type: 'order.place-order.v1',
        kind: 'command',
        from: 'storefront',
        to: 'order-service',
        instance: 'order-service-2',
        at,
        outcome: 'handled',
      },
      {
        messageId: 'evt-1',
        type: 'storefront.user-signed-up.v1',
        kind: 'event',
        from: 'storefront',
        to: 'order-service',
        instance: 'order-service-1',
        at,
        outcome: 'handled',
      },
      {
        messageId: 'evt-1',
        type: 'storefront.user-signed-up.v1',
        kind: 'event',
        from: 'storefront',
        to: 'email-service',
        instance: 'email-service-1',
        at,
        outcome: 'handled',
      },
      {
        messageId: 'evt-1',
        type: 'storefront.user-signed-up.v1',
        kind: 'event',
        from: 'storefront',
        to: 'notification-service',
        instance: 'notification-service-1',
        at,
        outcome: 'retried',
      },
    ];
    await transport.flow.publish(records.map((record) => JSON.stringify(record)));

    const rows = page.getByTestId('flow-row');
    await rows.nth(3).waitFor({ timeout: 15_000 });
    expect(await rows.count()).toBe(4);
    const command = page.locator('[data-testid="flow-row"][data-kind="command"]');
    expect(await command.count()).toBe(1);
    expect(await command.getByTestId('flow-route').textContent()).toBe('storefront → order-service');
    expect(await command.getByTestId('flow-instance').textContent()).toBe('order-service-2');
    expect(await command.getByTestId('flow-copies').textContent()).toBe('1');
    // The catalogue's short name, the versioned type on hover.
    expect(await command.getByTestId('flow-type').textContent()).toBe('PlaceOrder');
    expect(await command.getByTestId('flow-type').getAttribute('title')).toBe('order.place-order.v1');
    const events = page.locator('[data-testid="flow-row"][data-kind="event"]');
    expect(await events.count()).toBe(3);
    expect(await events.first().getByTestId('flow-type').textContent()).toBe('UserSignedUp');
    expect(await events.first().getByTestId('flow-type').getAttribute('title')).toBe('storefront.user-signed-up.v1');
    expect(await events.getByTestId('flow-copies').allTextContents()).toEqual(['3', '3', '3']);

    const counter = (instance: string, column: string) =>
      page.locator(`[data-testid="replica-counter"][data-instance="${instance}"] [data-testid="count-${column}"]`).textContent();
    expect(await counter('order-service-2', 'command')).toBe('1');
    expect(await counter('order-service-1', 'event')).toBe('1');
    expect(await counter('email-service-1', 'event')).toBe('1');
    expect(await counter('notification-service-1', 'retried')).toBe('1');
  });
  it('shows a replica the launcher restarted: a row in the flow and its restart count', async () => {
    await page.getByTestId('flow-status').filter({ hasText: 'live' }).waitFor();
    const at = new Date().toISOString();
    const records: ReplicaStartedRecord[] = [
      { event: 'replica-started', service: 'inventory-service', instance: 'inventory-service-2', restarts: 0, at },
      { event: 'replica-started', service: 'inventory-service', instance: 'inventory-service-2', restarts: 2, at },
    ];
    await transport.flow.publish(records.map((record) => JSON.stringify(record)));

    const restart = page.locator('[data-testid="restart-row"][data-instance="inventory-service-2"]');
    await restart.waitFor({ timeout: 15_000 });
    expect(await restart.count()).toBe(1);
    expect(await restart.textContent()).toContain('inventory-service-2 restarted (2nd time)');
    expect(
      await page
        .locator('[data-testid="replica-counter"][data-instance="inventory-service-2"] [data-testid="count-restarts"]')
        .textContent(),
    ).toBe('2');
  });

  it('shows a redelivery the inbox absorbed as a duplicate, and filters the flow to one checkout', async () => {
    await page.getByTestId('flow-status').filter({ hasText: 'live' }).waitFor();
    const at = new Date().toISOString();
    const checkout = `checkout-${randomUUID()}`;
    const other = `checkout-${randomUUID()}`;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const record = (messageId: string, correlationId: string, outcome: FlowRecord['outcome'], instance: string): FlowRecord => ({
      messageId,
      type: 'inventory.reserve-stock.v1',
      kind: 'command',
      from: 'order-service',
      to: 'inventory-service',
      instance,
      correlationId,
      traceId,
      at,
      outcome,
    });
    await transport.flow.publish(
      [
        record('reserve-1', checkout, 'handled', 'inventory-service-7'),
        record('reserve-1', checkout, 'duplicate', 'inventory-service-8'),
        record('reserve-2', other, 'handled', 'inventory-service-7'),
      ].map((r) => JSON.stringify(r)),
    );

    const ofCheckout = page.locator(`[data-testid="flow-row"][data-correlation-id="${checkout}"]`);
    const ofOther = page.locator(`[data-testid="flow-row"][data-correlation-id="${other}"]`);
    await ofOther.waitFor({ timeout: 15_000 });
    // The repeat is a duplicate, not a second handled: counted apart, and not as a command handled.
    const duplicate = page.locator('[data-testid="flow-row"][data-message-id="reserve-1"][data-outcome="duplicate"]');
    expect(await duplicate.getByTestId('flow-outcome').textContent()).toBe('duplicate');
    expect(await page.locator('[data-testid="flow-row"][data-message-id="reserve-1"][data-outcome="handled"]').count()).toBe(1);
    const counter = (instance: string, column: string) =>
      page.locator(`[data-testid="replica-counter"][data-instance="${instance}"] [data-testid="count-${column}"]`).textContent();
    expect(await counter('inventory-service-8', 'duplicate')).toBe('1');
    expect(await counter('inventory-service-8', 'command')).toBe('0');
    expect(await counter('inventory-service-7', 'command')).toBe('2');
    expect(await duplicate.getByTestId('flow-correlation').getAttribute('data-trace-id')).toBe(traceId);

    // Typed into the filter: only that checkout's messages stay on screen.
    await page.getByTestId('flow-filter').fill(checkout);
    await ofOther.waitFor({ state: 'hidden' });
    expect([await ofCheckout.nth(0).isVisible(), await ofCheckout.nth(1).isVisible()]).toEqual([true, true]);
    expect(await page.locator('[data-testid="flow-row"]:visible').count()).toBe(2);
    expect(await page.getByTestId('flow-filter-status').textContent()).toBe(`2 of the messages on screen belong to ${checkout}`);
    // A record of another checkout arriving meanwhile stays out of sight; one of this checkout shows.
    await transport.flow.publish([JSON.stringify(record('reserve-3', other, 'handled', 'inventory-service-7'))]);
    await transport.flow.publish([JSON.stringify(record('reserve-4', checkout, 'retried', 'inventory-service-7'))]);
    await page.locator('[data-testid="flow-row"][data-message-id="reserve-4"]').waitFor();
    expect(await page.locator('[data-testid="flow-row"][data-message-id="reserve-3"]').isHidden()).toBe(true);

    // Show all brings everything back; a row's Checkout button filters to its own.
    await page.getByTestId('flow-filter-clear').click();
    await ofOther.first().waitFor();
    expect(await page.locator('[data-testid="flow-row"]:visible').count()).toBe(await page.getByTestId('flow-row').count());
    await ofOther.first().getByTestId('flow-correlation').click();
    expect(await page.getByTestId('flow-filter').inputValue()).toBe(other);
    await ofCheckout.first().waitFor({ state: 'hidden' });
    expect(await page.locator('[data-testid="flow-row"]:visible').count()).toBe(2);
    await page.getByTestId('flow-filter-clear').click();
  });

  it('“Show this checkout” on an order shows that checkout’s messages only; Show all shows every message again', async () => {
    const order = page.getByTestId('order').last();
    const checkout = (await order.getAttribute('data-correlation-id'))!;
    const at = new Date().toISOString();
    const record = (messageId: string, correlationId: string, type: string, to: string): FlowRecord => ({
      messageId,
      type,
      kind: 'command',
      from: 'order-service',
      to,
      instance: `${to}-1`,
      correlationId,
      at,
      outcome: 'handled',
    });
    await transport.flow.publish(
      [
        record('checkout-reserve', checkout, 'inventory.reserve-stock.v1', 'inventory-service'),
        record('checkout-charge', checkout, 'payment.charge-payment.v1', 'payment-service'),
        record('other-reserve', `checkout-${randomUUID()}`, 'inventory.reserve-stock.v1', 'inventory-service'),
      ].map((r) => JSON.stringify(r)),
    );
    await page.locator('[data-testid="flow-row"][data-message-id="other-reserve"]').waitFor({ timeout: 15_000 });

    await order.getByTestId('order-flow').click();

    expect(await page.getByTestId('flow-filter').inputValue()).toBe(checkout);
    const visible = page.locator('[data-testid="flow-row"]:visible');
    expect(await visible.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-correlation-id')))).toEqual([checkout, checkout]);
    expect(await visible.getByTestId('flow-type').allTextContents()).toEqual(['ChargePayment', 'ReserveStock']);
    await page.getByTestId('flow-filter-clear').click();
    expect(await page.getByTestId('flow-filter').inputValue()).toBe('');
    expect(await visible.count()).toBe(await page.getByTestId('flow-row').count());
  });

  it('keeps the counters, the messages and the orders across a reload, then goes on live without repeating one', async () => {
    await page.getByTestId('flow-status').filter({ hasText: 'live' }).waitFor();
    const onScreen = async () => ({
      counters: await page
        .getByTestId('replica-counter')
        .evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent).join(' '))),
      messages: await page
        .locator('[data-testid="flow-row"], [data-testid="restart-row"]')
        .evaluateAll((rows) =>
          rows.map((row) => `${row.getAttribute('data-identity')} ${row.querySelector('[data-testid="flow-copies"]')?.textContent ?? ''}`),
        ),
      orders: await page
        .getByTestId('order')
        .evaluateAll((items) =>
          items.map((item) =>
            [item.getAttribute('data-order-id'), item.getAttribute('data-status'), item.getAttribute('data-correlation-id')].join(' '),
          ),
        ),
    });
    const before = await onScreen();
    expect(before.counters.length).toBeGreaterThan(5);
    expect(before.messages.length).toBeGreaterThan(10);
    expect(before.orders).toHaveLength(1);

    await page.reload();
    await page.getByTestId('flow-status').filter({ hasText: 'live' }).waitFor();
    await page.locator(`[data-testid="flow-row"][data-identity="${before.messages.at(-1)!.split(' ')[0]}"]`).waitFor();
    await page.getByTestId('order').first().waitFor();
    expect(await onScreen()).toEqual(before);
    // The order list came from GET /api/orders, not from this tab's memory.
    expect(await page.getByTestId('order').first().getByTestId('order-correlation').textContent()).toBe(before.orders[0]!.split(' ')[2]);

    const at = new Date().toISOString();
    await transport.flow.publish([
      JSON.stringify({
        messageId: 'after-reload',
        type: 'order.place-order.v1',
        kind: 'command',
        from: 'storefront',
        to: 'order-service',
        instance: 'order-service-2',
        at,
        outcome: 'handled',
      } satisfies FlowRecord),
    ]);
    await page.locator('[data-testid="flow-row"][data-message-id="after-reload"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="flow-row"][data-message-id="after-reload"]').count()).toBe(1);
    const commandsBefore = Number(before.counters.find((row) => row.startsWith('order-service-2 '))!.split(' ')[1]);
    expect(
      await page.locator('[data-testid="replica-counter"][data-instance="order-service-2"] [data-testid="count-command"]').textContent(),
    ).toBe(String(commandsBefore + 1));
  });

  it('at 1400 px wide keeps every badge and name on one line, and the live view in sight while the shop scrolls', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    try {
      const badges = (await page.evaluate(`(${LINES_OF_BOXES})('[data-testid="flow-row"] .kind')`)) as LineCount[];
      expect(badges.length).toBeGreaterThan(5);
      expect(badges.filter(({ lines }) => lines !== 1)).toEqual([]);
      const cells = (await page.evaluate(
        `(${LINES_OF_TEXT})('[data-testid="flow-table"] td, [data-testid="flow-counters"] th, [data-testid="flow-counters"] td')`,
      )) as LineCount[];
      expect(cells.map(({ text }) => text)).toEqual(expect.arrayContaining(['email-service-1', 'notification-service-1', 'PlaceOrder']));
      expect(cells.filter(({ lines }) => lines !== 1)).toEqual([]);
      // Nothing cut off either: the tables fit their panel.
      expect(await page.evaluate(`(${OVERFLOWING})('#flow .flow-scroll, #flow .counters-scroll')`)).toEqual([]);

      await page.getByTestId('place-order').scrollIntoViewIfNeeded();
      await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
      expect(await page.evaluate('window.scrollY')).toBeGreaterThan(0);
      expect(await inView('#flow-heading')).toBe(true);
      expect(await inView('[data-testid="flow-table"] tbody tr')).toBe(true);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  it('at 800 px wide the order form and the live view are both usable', async () => {
    await page.setViewportSize({ width: 800, height: 700 });
    try {
      await page.getByTestId('qty-HOODIE-GRY-M').fill('1');
      await page.getByTestId('place-order').scrollIntoViewIfNeeded();
      // Nothing covers the button, and the live view is on screen beside it.
      expect(await page.evaluate(`(${TOPMOST_AT_CENTRE})('[data-testid="place-order"]')`)).toBe(true);
      expect(await inView('#flow-heading')).toBe(true);
      expect(await inView('[data-testid="place-order"]')).toBe(true);
      const orders = await page.getByTestId('order').count();
      await page.getByTestId('place-order').click();
      await page.getByTestId('order').nth(orders).waitFor();
      expect(await page.getByTestId('order').first().getAttribute('data-status')).toBe('pending');
      expect(await page.getByTestId('qty-HOODIE-GRY-M').inputValue()).toBe('0');

      // The filter works in the docked view, and the messages scroll inside it.
      await page.getByTestId('order').first().getByTestId('order-flow').click();
      expect(await inView('[data-testid="flow-filter"]')).toBe(true);
      await page.getByTestId('flow-filter-clear').click();
      await page.locator('[data-testid="flow-row"]').first().scrollIntoViewIfNeeded();
      expect(await inView('[data-testid="flow-row"]')).toBe(true);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  it('lists a dead letter of the bus in the dead-letter panel and replays it to the subscriber that failed it', async () => {
    // email-service fails a UserSignedUp: its copy is dead-lettered; order-service already took its own.
    const emailEvents = { kind: 'subscription', topic: 'events', name: 'email-service' } as const;
    const orderEvents = { kind: 'subscription', topic: 'events', name: 'order-service' } as const;
    const envelope = createEnvelope(
      {
        type: 'storefront.user-signed-up.v1',
        kind: 'event',
        source: 'storefront',
        data: { userId: randomUUID(), email: 'grace@example.com', name: 'Grace' },
      },
      { correlationId: `corr-${randomUUID()}` },
    );
    await transport.send({ kind: 'topic', name: 'events' }, [toOutgoingMessage(envelope)]);
    await settleAll(orderEvents, (delivery) => delivery.complete());
    await settleAll(emailEvents, (delivery) =>
      delivery.message.messageId === envelope.id
        ? delivery.deadLetter(
            'MessageRejectedError: no template /srv/shop/templates/welcome.hbs:3:1\n    at render (/srv/shop/dist/mailer.js:12:7)',
            'rejected on attempt 1 of 5',
          )
        : delivery.complete(),
    );

    // The panel is locked until the operator gives the token; a wrong one is refused and asked for again.
    expect(await page.getByTestId('dead-letters-table').isHidden()).toBe(true);
    await page.getByTestId('operator-token').fill('not-the-operator-token');
    await page.getByTestId('operator-unlock').click();
    await page.getByTestId('dead-letters-error').filter({ hasText: 'An operator token is required' }).waitFor();
    expect(await page.getByTestId('operator-form').isVisible()).toBe(true);
    expect(await page.getByTestId('dead-letters-table').isHidden()).toBe(true);
    await page.getByTestId('operator-token').fill(operatorToken);
    await page.getByTestId('operator-unlock').click();
    await page.getByTestId('dead-letters-table').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('stitch.operatorToken')")).toBe(operatorToken);
    expect(await page.getByTestId('operator-form').isHidden()).toBe(true);

    await page.getByTestId('dead-letters-refresh').click();
    const row = page.locator(`[data-testid="dead-letter"][data-message-id="${envelope.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getAttribute('data-source')).toBe('subscription:events/email-service');
    // Shown without the path and the stack frame the consumer's error carried.
    expect(await row.getByTestId('dead-letter-reason').textContent()).toBe('MessageRejectedError: no template <path>');
    expect(
      await page
        .locator('[data-testid="dead-letter-source"][data-source="subscription:events/email-service"] [data-testid="dead-letter-count"]')
        .textContent(),
    ).toBe('1');

    await row.getByTestId('replay-message').click();
    await page.getByTestId('dead-letters-outcome').filter({ hasText: 'Replayed 1 to subscription events/email-service' }).waitFor();
    await row.waitFor({ state: 'detached' });
    expect(await transport.deadLetters.list(emailEvents)).toEqual([]);
    const back = await settleAll(emailEvents, (delivery) => delivery.complete());
    expect(back.map(({ messageId, correlationId }) => ({ messageId, correlationId }))).toEqual([
      { messageId: envelope.id, correlationId: envelope.correlationId },
    ]);
    expect(await settleAll(orderEvents, (delivery) => delivery.complete())).toEqual([]);

    // The token lasts for the tab: a reload shows the panel at once; Forget token locks it again.
    await page.reload();
    await page.getByTestId('dead-letters-table').waitFor();
    await page.getByTestId('operator-sign-out').click();
    await page.getByTestId('operator-form').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('stitch.operatorToken')")).toBeNull();
  });

  it('renders the message documentation at /asyncapi: every message by name and type, with no script or policy error', async () => {
    const docs = await browser.newPage();
    const problems: string[] = [];
    docs.on('pageerror', (error) => problems.push(error.message));
    // A refused script or a policy violation is a console error; a missing file is checked by its response.
    docs.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    docs.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()} ${response.url()}`);
    });
    try {
      await docs.goto(`${storefront.url}/asyncapi`);
      // The sidebar names them too, but hides itself on a narrow window: only what shows counts.
      const shown = (text: string, exact = false) => docs.getByText(text, { exact }).filter({ visible: true }).first().waitFor();
      await shown('Stitch shop 1.0.0');
      for (const message of shopCatalogue.messages) {
        const kind = message.kind === 'command' ? 'Command' : 'Event';
        await shown(`${kind} ${message.name},`);
        await shown(message.type, true);
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}\nwhat the page reported: ${problems.join('; ') || 'nothing'}`);
    } finally {
      await docs.close();
    }
    expect(problems).toEqual([]);
  });

  it('had no script error, console error or failed request in the whole run, beyond the two refusals the tests asked for', async () => {
    // The wrong card number (400) and the wrong operator token (401) are refused on purpose; Chromium logs each refusal too.
    const asked = ['POST /api/orders 400', 'GET /api/dead-letters 401'];
    const refusals = [
      'console error: Failed to load resource: the server responded with a status of 400 (Bad Request) at /api/orders',
      'console error: Failed to load resource: the server responded with a status of 401 (Unauthorized) at /api/dead-letters',
    ];
    expect(pageProblems.sort()).toEqual([...asked, ...refusals].sort());
  });

  /** Settles whatever is waiting at a source, the way the test says; resolves to what came. */
  async function settleAll(source: Source, settle: (delivery: Delivery) => Promise<void>): Promise<IncomingMessage[]> {
    const received: IncomingMessage[] = [];
    const receiver = await transport.receive(
      source,
      async (delivery) => {
        received.push(delivery.message);
        await settle(delivery);
      },
      { concurrency: 4, lockMs: 10_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await receiver.close();
    return received;
  }
});

function pathOf(url: string): string {
  try {
    const { pathname, search } = new URL(url);
    return pathname + search;
  } catch {
    return url;
  }
}

/** How many lines an element's text takes, as the page measures it. */
interface LineCount {
  readonly text: string;
  readonly lines: number;
}

/** Boxes (the kind badges, inline blocks): their content height in lines of their own line height. */
const LINES_OF_BOXES = `(selector) => [...document.querySelectorAll(selector)].map((element) => {
  const style = getComputedStyle(element);
  const chrome = ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth'].reduce((sum, side) => sum + parseFloat(style[side]), 0);
  return { text: element.textContent, lines: Math.round((element.getBoundingClientRect().height - chrome) / parseFloat(style.lineHeight)) };
})`;

/**
 * Cells: the lines their text is laid out on. Each piece of text gives its boxes; a box that starts below the bottom of
 * the line so far starts a new line (boxes on one line differ in top by their padding, but overlap).
 */
const LINES_OF_TEXT = `(selector) => [...document.querySelectorAll(selector)].filter((cell) => cell.textContent.trim() && cell.offsetParent).map((cell) => {
  const boxes = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    boxes.push(...[...range.getClientRects()].filter((rect) => rect.width > 0));
  }
  boxes.sort((a, b) => a.top - b.top);
  let lines = 0;
  let bottom = -Infinity;
  for (const box of boxes) {
    if (box.top >= bottom - 1) {
      lines += 1;
      bottom = box.bottom;
    } else bottom = Math.max(bottom, box.bottom);
  }
  return { text: cell.textContent.trim(), lines };
})`;

/** The scroll boxes whose content is wider than they are. */
const OVERFLOWING = `(selector) => [...document.querySelectorAll(selector)].filter((box) => box.scrollWidth > box.clientWidth + 1).map((box) => box.className + ' ' + box.scrollWidth + '>' + box.clientWidth)`;

/** Whether nothing covers the first match: its centre and each corner (a little inside) hit it or what is inside it. */
const TOPMOST_AT_CENTRE = `(selector) => {
  const element = document.querySelector(selector);
  const box = element.getBoundingClientRect();
  const points = [[0.5, 0.5], [0.1, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.9]];
  return points.every(([x, y]) => {
    const hit = document.elementFromPoint(box.left + box.width * x, box.top + box.height * y);
    return element === hit || element.contains(hit);
  });
}`;
