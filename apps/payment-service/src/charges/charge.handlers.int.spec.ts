import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ChargePayment, PaymentFailed, PaymentSucceeded, Services, type MessageData } from '@stitch/contracts';
import type { Envelope, FlowRecord } from '@stitch/messaging-core';
import { startTestPostgres, until, type TestPostgres } from '@stitch/persistence/testing';
import { flowRecords, query, receivedByOrderService, sendCommand, shopTransport, startPayment, testEnvironment } from '../../test/support/payment-test-app';
import { CARD_PROVIDER, type CardProvider } from './card-provider';
import { DECLINED_CARD_TOKEN } from './simulated-card-provider';

const transport = shopTransport();
let server: TestPostgres;
let app: INestApplication;
let events: Envelope[];
let flow: FlowRecord[];
let providerCalls: jest.SpyInstance;

beforeAll(async () => {
  server = await startTestPostgres();
  testEnvironment(server.url);
  events = await receivedByOrderService(transport);
  flow = await flowRecords(transport);
  app = await startPayment(transport);
  providerCalls = jest.spyOn(app.get<CardProvider>(CARD_PROVIDER), 'charge');
});

afterAll(async () => {
  await app?.close();
  await server?.stop();
});

function chargeFor(orderId: string, token = 'tok_visa4242'): MessageData<typeof ChargePayment> {
  return { orderId, amountCents: 10_997, currency: 'EUR', paymentMethod: { token, last4: token === DECLINED_CARD_TOKEN ? '0002' : '4242' } };
}

function eventsFor(orderId: string): Envelope[] {
  return events.filter((event) => (event.data as { orderId: string }).orderId === orderId);
}

function callsFor(orderId: string): number {
  return providerCalls.mock.calls.filter(([request]) => (request as { idempotencyKey: string }).idempotencyKey === orderId).length;
}

async function charges(orderId: string) {
  return query(server.url, 'SELECT amount_cents, currency, status, decline_reason, last4, provider_charge_id, id FROM charge WHERE order_id = $1', [orderId]);
}

async function handled(messageId: string, times = 1): Promise<void> {
  await until(() => flow.filter((record) => record.messageId === messageId && record.outcome === 'handled').length === times);
  await until(async () => (await query(server.url, 'SELECT 1 FROM stitch_outbox')).length === 0);
}

describe('ChargePayment', () => {
  it('charges the card, stores the charge and publishes PaymentSucceeded', async () => {
    const orderId = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId));
    await until(() => eventsFor(orderId).length === 1);

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
    await until(() => eventsFor(orderId).length === 1);

    expect(eventsFor(orderId)[0]).toMatchObject({ type: PaymentFailed.type, data: { orderId, reason: 'card declined' } });
    expect(await charges(orderId)).toEqual([
      expect.objectContaining({ status: 'declined', decline_reason: 'card declined', last4: '0002', provider_charge_id: null }),
    ]);
  });

  it('charges once when the same order is asked to pay again under a new message id', async () => {
    const orderId = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId));
    await until(() => eventsFor(orderId).length === 1);
    await sendCommand(transport, ChargePayment, chargeFor(orderId));
    await until(() => eventsFor(orderId).length === 2);

    const [first, second] = eventsFor(orderId);
    expect(second).toMatchObject({ type: PaymentSucceeded.type, data: first!.data });
    expect(second!.id).not.toBe(first!.id);
    expect(callsFor(orderId)).toBe(1);
    expect(await charges(orderId)).toHaveLength(1);
  });

  it('tells a decline again, without charging, when the declined order asks again', async () => {
    const orderId = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId, DECLINED_CARD_TOKEN));
    await until(() => eventsFor(orderId).length === 1);
    await sendCommand(transport, ChargePayment, chargeFor(orderId, DECLINED_CARD_TOKEN));
    await until(() => eventsFor(orderId).length === 2);

    expect(eventsFor(orderId).map((event) => event.type)).toEqual([PaymentFailed.type, PaymentFailed.type]);
    expect(callsFor(orderId)).toBe(1);
  });

  it('has no second effect when the same message is delivered again', async () => {
    const orderId = randomUUID();
    const id = randomUUID();
    await sendCommand(transport, ChargePayment, chargeFor(orderId), id);
    await sendCommand(transport, ChargePayment, chargeFor(orderId), id);
    await handled(id, 2);

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
