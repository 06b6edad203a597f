import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ChargePayment, PaymentFailed, PaymentRefunded, PaymentSucceeded, RefundPayment } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import type { MessageData } from '@stitch/messaging-catalogue';
import { MessageBus, type Envelope, type FlowRecord } from '@stitch/messaging-core';
import { Database } from '@stitch/persistence';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { until } from '@stitch/waiting-testing';
import {
  flowRecords,
  query,
  receivedByOrderService,
  sendCommand,
  shopTransport,
  startPayment,
  testEnvironment,
} from '../../test/support/payment-test-app';
import { CARD_PROVIDER, type CardProvider } from './card-provider';
import { ChargeLedger } from './charge-ledger';
import { DECLINED_CARD_TOKEN } from './simulated-card-provider';

const transport = shopTransport();
let server: TestPostgres;
let app: INestApplication;
let events: Envelope[];
let flow: FlowRecord[];
let providerCalls: jest.SpyInstance;
let refundCalls: jest.SpyInstance;
let published: jest.SpyInstance;

beforeAll(async () => {
  server = await startTestPostgres();
  testEnvironment(server.url);
  events = await receivedByOrderService(transport);
  flow = await flowRecords(transport);
  app = await startPayment(transport);
  providerCalls = jest.spyOn(app.get<CardProvider>(CARD_PROVIDER), 'charge');
  refundCalls = jest.spyOn(app.get<CardProvider>(CARD_PROVIDER), 'refund');
  // Nobody subscribes to PaymentRefunded yet, so no subscription can catch it: watch what the service publishes.
  published = jest.spyOn(app.get(MessageBus), 'publish');
});

afterAll(async () => {
  await app?.close();
  await server?.stop();
});

function chargeFor(orderId: string, token = 'tok_visa4242'): MessageData<typeof ChargePayment> {
  return {
    orderId,
    amountCents: 10_997,
    currency: 'EUR',
    paymentMethod: { token, last4: token === DECLINED_CARD_TOKEN ? '0002' : '4242' },
  };
}

function eventsFor(orderId: string): Envelope[] {
  return events.filter((event) => (event.data as { orderId: string }).orderId === orderId);
}

function callsFor(orderId: string): number {
  return providerCalls.mock.calls.filter(([request]) => (request as { idempotencyKey: string }).idempotencyKey === orderId).length;
}

async function charges(orderId: string) {
  return query(
    server.url,
    'SELECT amount_cents, currency, status, decline_reason, last4, provider_charge_id, id FROM charge WHERE order_id = $1',
    [orderId],
  );
}

const outcomesOf = (messageId: string) =>
  flow
    .filter((record) => record.messageId === messageId)
    .map((record) => record.outcome)
    .sort();

/**
 * Waits until the message with this id was settled with this outcome (a repeat its inbox absorbed is a `duplicate`),
 * and relayed what it sent.
 */
async function handled(messageId: string, outcome: FlowRecord['outcome'] = 'handled'): Promise<void> {
  await until(
    `message ${messageId} ${outcome}`,
    () => flow.some((record) => record.messageId === messageId && record.outcome === outcome),
    {
      state: () => `its outcomes so far: ${outcomesOf(messageId).join(', ') || 'none'}`,
    },
  );
  await until('the outbox to empty', async () => (await query(server.url, 'SELECT 1 FROM stitch_outbox')).length === 0);
}

describe('ChargePayment', () => {
  it('charges the card, stores the charge and publishes PaymentSucceeded', async () => {
    const orderId = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId));
    await until('PaymentSucceeded for the order', () => eventsFor(orderId).length === 1);

    const [stored] = await charges(orderId);
    expect(stored).toEqual({
      amount_cents: 10_997,
      currency: 'EUR',
      status: 'succeeded',
      decline_reason: null,
      last4: '4242',
      provider_charge_id: expect.stringMatching(/^ch_sim_/),
      id: expect.any(String),
    });
    expect(eventsFor(orderId)[0]).toMatchObject({
      type: PaymentSucceeded.type,
      source: Services.payment,
      data: { orderId, chargeId: stored!.id, amountCents: 10_997 },
    });
    expect(callsFor(orderId)).toBe(1);
  });

  it('publishes PaymentFailed for the declining test card, and stores the decline', async () => {
    const orderId = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId, DECLINED_CARD_TOKEN));
    await until('PaymentFailed for the declined card', () => eventsFor(orderId).length === 1);

    expect(eventsFor(orderId)[0]).toMatchObject({ type: PaymentFailed.type, data: { orderId, reason: 'card declined' } });
    expect(await charges(orderId)).toEqual([
      expect.objectContaining({ status: 'declined', decline_reason: 'card declined', last4: '0002', provider_charge_id: null }),
    ]);
  });

  it('charges once when the same order is asked to pay again under a new message id', async () => {
    const orderId = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId));
    await until('the answer to the first ChargePayment', () => eventsFor(orderId).length === 1);
    await sendCommand(transport, ChargePayment, chargeFor(orderId));
    await until('the answer to the second ChargePayment', () => eventsFor(orderId).length === 2);

    const [first, second] = eventsFor(orderId);
    expect(second).toMatchObject({ type: PaymentSucceeded.type, data: first!.data });
    expect(second!.id).not.toBe(first!.id);
    expect(callsFor(orderId)).toBe(1);
    expect(await charges(orderId)).toHaveLength(1);
  });

  it('keeps the first charge stored for an order, and answers a second record of it with that one', async () => {
    const ledger = app.get(ChargeLedger);
    const db = app.get(Database);
    const orderId = randomUUID();
    const charge = { orderId, amountCents: 500, currency: 'EUR', last4: '4242' } as const;
    const first = await db.transaction(() => ledger.record({ ...charge, outcome: { status: 'succeeded', chargeId: 'ch_first' } }));
    const second = await db.transaction(() => ledger.record({ ...charge, outcome: { status: 'declined', reason: 'too late' } }));

    expect(first).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      orderId,
      amountCents: 500,
      status: 'succeeded',
      declineReason: null,
    });
    expect(second).toMatchObject(first);
    expect(await charges(orderId)).toEqual([
      expect.objectContaining({ status: 'succeeded', provider_charge_id: 'ch_first', id: first.id }),
    ]);
  });

  it('tells a decline again, without charging, when the declined order asks again', async () => {
    const orderId = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId, DECLINED_CARD_TOKEN));
    await until('the answer to the first ChargePayment', () => eventsFor(orderId).length === 1);
    await sendCommand(transport, ChargePayment, chargeFor(orderId, DECLINED_CARD_TOKEN));
    await until('the answer to the second ChargePayment', () => eventsFor(orderId).length === 2);

    expect(eventsFor(orderId).map((event) => event.type)).toEqual([PaymentFailed.type, PaymentFailed.type]);
    expect(callsFor(orderId)).toBe(1);
  });

  it('has no second effect when the same message is delivered again', async () => {
    const orderId = randomUUID();
    const id = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId), id);
    await sendCommand(transport, ChargePayment, chargeFor(orderId), id);
    await handled(id);
    await handled(id, 'duplicate');
    expect(outcomesOf(id)).toEqual(['duplicate', 'handled']);

    expect(eventsFor(orderId)).toHaveLength(1);
    expect(callsFor(orderId)).toBe(1);
  });

  it('keeps the card token out of what it stores and what it publishes', async () => {
    const token = 'tok_neverStoredAnywhere';
    const orderId = randomUUID();
    const id = await sendCommand(transport, ChargePayment, chargeFor(orderId, token));
    await handled(id);

    const tables = await query<{ dump: string }>(server.url, 'SELECT (SELECT json_agg(c)::text FROM charge c) AS dump');
    expect(tables[0]!.dump).not.toContain(token);
    expect(JSON.stringify(eventsFor(orderId))).not.toContain(token);
  });
});

describe('RefundPayment', () => {
  /** An order charged successfully, as the order service learnt it from PaymentSucceeded. */
  async function chargedOrder(token = 'tok_visa4242'): Promise<{ orderId: string; chargeId: string }> {
    const orderId = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId, token));
    await until('the answer to ChargePayment', () => eventsFor(orderId).length === 1);
    return { orderId, chargeId: (eventsFor(orderId)[0]!.data as { chargeId?: string }).chargeId ?? 'declined' };
  }

  const refundOf = (orderId: string, chargeId: string): MessageData<typeof RefundPayment> => ({
    orderId,
    chargeId,
    amountCents: 10_997,
    reason: `Order ${orderId} was already cancelled: Not completed within 10 minutes (still waiting for payment)`,
  });

  const refundsPublishedFor = (orderId: string) =>
    published.mock.calls
      .filter(([event, data]) => event === PaymentRefunded && (data as { orderId: string }).orderId === orderId)
      .map(([, data]) => data);
  const refundCallsFor = (orderId: string) =>
    refundCalls.mock.calls.filter(([request]) => (request as { idempotencyKey: string }).idempotencyKey === orderId).length;
  const refundState = async (orderId: string) =>
    (
      await query(
        server.url,
        'SELECT refunded_at IS NOT NULL AS refunded, provider_refund_id, refund_reason FROM charge WHERE order_id = $1',
        [orderId],
      )
    )[0];

  it('refunds the charge at the provider, records it and publishes PaymentRefunded', async () => {
    const { orderId, chargeId } = await chargedOrder();
    const refund = refundOf(orderId, chargeId);

    await handled(await sendCommand(transport, RefundPayment, refund));

    expect(await refundState(orderId)).toEqual({
      refunded: true,
      provider_refund_id: expect.stringMatching(/^re_sim_/),
      refund_reason: refund.reason,
    });
    const { provider_refund_id } = (await refundState(orderId))!;
    expect(refundsPublishedFor(orderId)).toEqual([{ orderId, chargeId, refundId: provider_refund_id, amountCents: 10_997 }]);
    expect(refundCallsFor(orderId)).toBe(1);
  });

  it('refunds once however the command repeats: redelivered, resent under a new id, or two at once', async () => {
    const { orderId, chargeId } = await chargedOrder();
    const refund = refundOf(orderId, chargeId);

    const id = randomUUID();
    await sendCommand(transport, RefundPayment, refund, id);
    await sendCommand(transport, RefundPayment, refund, id);
    await handled(id);
    await handled(id, 'duplicate');
    expect(outcomesOf(id)).toEqual(['duplicate', 'handled']);
    const [resent, concurrentA, concurrentB] = await Promise.all([
      sendCommand(transport, RefundPayment, refund),
      sendCommand(transport, RefundPayment, refund),
      sendCommand(transport, RefundPayment, refund),
    ]);
    await handled(resent);
    await handled(concurrentA);
    await handled(concurrentB);

    expect(refundsPublishedFor(orderId)).toHaveLength(1);
    expect(refundCallsFor(orderId)).toBe(1);
    expect(
      await query(server.url, 'SELECT count(*)::int AS n FROM charge WHERE order_id = $1 AND refunded_at IS NOT NULL', [orderId]),
    ).toEqual([{ n: 1 }]);
  });

  it('refunds nothing for a declined charge: nothing was taken', async () => {
    const orderId = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId, DECLINED_CARD_TOKEN));
    await until('PaymentFailed for the declined card', () => eventsFor(orderId).length === 1);
    const [declined] = await charges(orderId);

    await handled(await sendCommand(transport, RefundPayment, refundOf(orderId, String(declined!.id))));

    expect(refundCallsFor(orderId)).toBe(0);
    expect(refundsPublishedFor(orderId)).toEqual([]);
    expect(await refundState(orderId)).toMatchObject({ refunded: false });
  });

  it('dead-letters at once a refund of a charge this service never made, saying it is permanent', async () => {
    const orderId = randomUUID();

    const id = await sendCommand(transport, RefundPayment, refundOf(orderId, randomUUID()));
    await until('the refund dead-lettered', () => flow.some((record) => record.messageId === id && record.outcome === 'dead-lettered'));

    const [dead] = (await transport.deadLetters.list({ kind: 'queue', name: Services.payment })).filter((d) => d.message.messageId === id);
    expect(dead).toMatchObject({ attempts: 1, reason: expect.stringMatching(/^NothingToRefundError: order .* has no charge/) });
    expect(dead?.description).toMatch(/^permanent error, not retried: failed on attempt 1 of 5/);
    expect(flow.filter((record) => record.messageId === id).map((record) => record.outcome)).toEqual(['dead-lettered']);
  });
});
