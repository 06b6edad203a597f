import {
  ChargePayment,
  ExpireOrder,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  RefundPayment,
  ReleaseStock,
  ReserveStock,
  SendEmail,
  type PlaceOrder,
} from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import {
  decide,
  describeDuration,
  MAX_REASON_LENGTH,
  MAX_TOTAL_CENTS,
  placeOrder,
  stageOf,
  type Outgoing,
  type ReplyDecision,
  type SagaOrder,
  type SagaReply,
} from './checkout-saga';

const orderId = '0b7f6c0e-4c1e-4d55-9a43-5d3f3f0d2a11';
const userId = '5a1d2a37-7f55-4c9a-8a39-3c4d2b1e0f22';
const paymentMethod = { token: 'tok_visa_ok', last4: '4242' };

const command: MessageData<typeof PlaceOrder> = {
  orderId,
  userId,
  items: [
    { sku: 'TEE-M', quantity: 2, unitPriceCents: 1_500 },
    { sku: 'CAP-1', quantity: 1, unitPriceCents: 900 },
  ],
  paymentMethod,
};

function order(overrides: Partial<SagaOrder> = {}): SagaOrder {
  return {
    orderId,
    userId,
    status: 'pending',
    stockReserved: false,
    version: 1,
    totalCents: 3_900,
    currency: 'EUR',
    paymentMethod,
    customer: { email: 'ada@example.com', name: 'Ada' },
    ...overrides,
  };
}

const awaitingStock = order();
const awaitingPayment = order({ stockReserved: true, version: 2 });
const confirmed = order({ status: 'confirmed', stockReserved: true, version: 3 });
const cancelled = order({ status: 'cancelled', reason: 'Payment failed: card declined', version: 3 });

const replies = {
  stockReserved: {
    name: 'StockReserved',
    data: {
      orderId,
      items: [
        { sku: 'TEE-M', quantity: 2 },
        { sku: 'CAP-1', quantity: 1 },
      ],
    },
  },
  stockFailed: {
    name: 'StockReservationFailed',
    data: { orderId, reason: 'insufficient stock', shortages: [{ sku: 'TEE-M', requested: 2, available: 1 }] },
  },
  paid: { name: 'PaymentSucceeded', data: { orderId, chargeId: 'ch_1', amountCents: 3_900 } },
  declined: { name: 'PaymentFailed', data: { orderId, reason: 'card declined' } },
  expired: { name: 'ExpireOrder', data: { orderId, timeoutMs: 600_000 } },
} satisfies Record<string, SagaReply>;

const TIMEOUT_MS = 600_000;
/** An order its timeout cancelled while it waited for its stock. */
const expiredAwaitingStock = order({
  status: 'cancelled',
  reason: 'Not completed within 10 minutes (still waiting for stock)',
  version: 2,
});

/** The messages as `[name, data]`, in the order they are sent. */
function sent(messages: readonly Outgoing[]): Array<[string, unknown]> {
  return messages.map((message) => [message.definition.name, message.data]);
}

function changed(decision: ReplyDecision): Extract<ReplyDecision, { outcome: 'changed' }> {
  if (decision.outcome !== 'changed') throw new Error(`expected a change, got: ${decision.why}`);
  return decision;
}

describe('placeOrder', () => {
  it('stores the order pending at version 1 with its total, in euros, without stock', () => {
    const decision = placeOrder(command, TIMEOUT_MS);

    expect(decision).toMatchObject({
      outcome: 'placed',
      order: {
        orderId,
        userId,
        status: 'pending',
        stockReserved: false,
        version: 1,
        totalCents: 3_900,
        currency: 'EUR',
        paymentMethod,
        items: command.items,
      },
    });
  });

  it('publishes OrderPlaced with version 1, sends ReserveStock for every line without prices, and schedules its own expiry', () => {
    const decision = placeOrder(command, TIMEOUT_MS);
    if (decision.outcome !== 'placed') throw new Error(decision.why);

    expect(sent(decision.messages)).toEqual([
      [OrderPlaced.name, { orderId, userId, items: command.items, totalCents: 3_900, version: 1 }],
      [
        ReserveStock.name,
        {
          orderId,
          items: [
            { sku: 'TEE-M', quantity: 2 },
            { sku: 'CAP-1', quantity: 1 },
          ],
        },
      ],
      [ExpireOrder.name, { orderId, timeoutMs: TIMEOUT_MS }],
    ]);
    expect(decision.messages.map((message) => ('delayMs' in message ? message.delayMs : undefined))).toEqual([
      undefined,
      undefined,
      TIMEOUT_MS,
    ]);
  });

  it('never puts the payment method in what it announces', () => {
    const decision = placeOrder(command, TIMEOUT_MS);
    if (decision.outcome !== 'placed') throw new Error(decision.why);

    expect(JSON.stringify(decision.messages)).not.toContain(paymentMethod.token);
  });

  it('rejects an order whose total the order table cannot hold', () => {
    const huge = {
      ...command,
      items: Array.from({ length: 50 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 100, unitPriceCents: 1_000_000 })),
    };

    const decision = placeOrder(huge, TIMEOUT_MS);

    expect(decision).toEqual({ outcome: 'rejected', why: expect.stringContaining(`${MAX_TOTAL_CENTS}`) });
  });
});

describe('stageOf', () => {
  it.each([
    ['awaiting-stock', 'pending without stock', awaitingStock],
    ['awaiting-payment', 'pending with stock held', awaitingPayment],
    ['confirmed', 'confirmed', confirmed],
    ['cancelled', 'cancelled', cancelled],
  ] as const)('is %s for an order %s', (stage, _, state) => {
    expect(stageOf(state)).toBe(stage);
  });
});

describe('decide', () => {
  describe('StockReserved', () => {
    it('marks the stock held, moves to the next version and charges the total with the stored payment method', () => {
      const decision = changed(decide(awaitingStock, replies.stockReserved));

      expect(decision.next).toEqual({ status: 'pending', stockReserved: true, version: 2 });
      expect(sent(decision.messages)).toEqual([[ChargePayment.name, { orderId, amountCents: 3_900, currency: 'EUR', paymentMethod }]]);
    });

    it('confirms an order that costs nothing at once, since there is nothing to charge', () => {
      const decision = changed(decide(order({ totalCents: 0 }), replies.stockReserved));

      expect(decision.next).toEqual({ status: 'confirmed', stockReserved: true, version: 2 });
      expect(sent(decision.messages).map(([name]) => name)).toEqual([OrderConfirmed.name, SendEmail.name]);
    });
  });

  describe('StockReservationFailed', () => {
    it('cancels with a reason naming each shortage, and releases nothing since nothing was held', () => {
      const decision = changed(decide(awaitingStock, replies.stockFailed));
      const reason = 'Not enough stock: TEE-M (2 ordered, 1 available)';

      expect(decision.next).toEqual({ status: 'cancelled', stockReserved: false, reason, version: 2 });
      expect(sent(decision.messages)).toEqual([
        [OrderCancelled.name, { orderId, userId, reason, version: 2 }],
        [SendEmail.name, { to: 'ada@example.com', template: 'order-cancelled', params: { orderId, reason, name: 'Ada' } }],
      ]);
    });

    it("falls back to inventory's own reason when it names no shortage", () => {
      const decision = changed(
        decide(awaitingStock, { name: 'StockReservationFailed', data: { orderId, reason: 'unknown SKU NOPE-1', shortages: [] } }),
      );

      expect(decision.next.reason).toBe('unknown SKU NOPE-1');
    });

    it('keeps a reason for fifty short lines within what OrderCancelled takes', () => {
      const shortages = Array.from({ length: 50 }, (_, i) => ({ sku: `LONG-SKU-NAME-${i}`, requested: 100, available: 0 }));

      const decision = changed(decide(awaitingStock, { name: 'StockReservationFailed', data: { orderId, reason: 'short', shortages } }));

      expect(decision.next.reason).toHaveLength(MAX_REASON_LENGTH);
      expect(decision.next.reason).toMatch(/^Not enough stock: LONG-SKU-NAME-0 .*…$/);
      expect(() => OrderCancelled.schema.parse(decision.messages.find((m) => m.definition === OrderCancelled)?.data)).not.toThrow();
    });
  });

  describe('PaymentSucceeded', () => {
    it('confirms, publishes OrderConfirmed with the new version and mails the confirmation', () => {
      const decision = changed(decide(awaitingPayment, replies.paid));

      expect(decision.next).toEqual({ status: 'confirmed', stockReserved: true, version: 3 });
      expect(sent(decision.messages)).toEqual([
        [OrderConfirmed.name, { orderId, userId, totalCents: 3_900, version: 3 }],
        [SendEmail.name, { to: 'ada@example.com', template: 'order-confirmed', params: { orderId, totalCents: 3_900, name: 'Ada' } }],
      ]);
    });
  });

  describe('PaymentFailed', () => {
    it('releases the held stock first, then cancels with the reason and tells the customer', () => {
      const decision = changed(decide(awaitingPayment, replies.declined));
      const reason = 'Payment failed: card declined';

      expect(decision.next).toEqual({ status: 'cancelled', stockReserved: false, reason, version: 3 });
      expect(sent(decision.messages)).toEqual([
        [ReleaseStock.name, { orderId, reason }],
        [OrderCancelled.name, { orderId, userId, reason, version: 3 }],
        [SendEmail.name, { to: 'ada@example.com', template: 'order-cancelled', params: { orderId, reason, name: 'Ada' } }],
      ]);
    });
  });

  describe('a reply the order is not waiting for changes nothing', () => {
    it.each([
      ['a repeated StockReserved', awaitingPayment, replies.stockReserved, 'awaiting-payment'],
      ['a StockReservationFailed once stock is held', awaitingPayment, replies.stockFailed, 'awaiting-payment'],
      ['a StockReservationFailed after confirmation', confirmed, replies.stockFailed, 'confirmed'],
      ['a payment reply before the stock is held', awaitingStock, replies.paid, 'awaiting-stock'],
      ['a PaymentFailed before the stock is held', awaitingStock, replies.declined, 'awaiting-stock'],
      ['a repeated PaymentSucceeded', confirmed, replies.paid, 'confirmed'],
      ['a PaymentFailed after confirmation', confirmed, replies.declined, 'confirmed'],
      ['a repeated PaymentFailed', cancelled, replies.declined, 'cancelled'],
      ['a StockReservationFailed after the timeout', expiredAwaitingStock, replies.stockFailed, 'cancelled'],
    ] as const)('%s', (_, state, reply, stage) => {
      const decision = decide(state, reply);

      expect(decision).toEqual({ outcome: 'ignored', why: expect.stringContaining(`is ${stage} (version ${state.version})`) });
      expect(decision).not.toHaveProperty('messages');
    });
  });

  describe('ExpireOrder', () => {
    it('cancels an order still waiting for its stock, saying how long it waited, and releases nothing', () => {
      const decision = changed(decide(awaitingStock, replies.expired));
      const reason = 'Not completed within 10 minutes (still waiting for stock)';

      expect(decision.next).toEqual({ status: 'cancelled', stockReserved: false, reason, version: 2 });
      expect(sent(decision.messages)).toEqual([
        [OrderCancelled.name, { orderId, userId, reason, version: 2 }],
        [SendEmail.name, { to: 'ada@example.com', template: 'order-cancelled', params: { orderId, reason, name: 'Ada' } }],
      ]);
    });

    it('cancels an order still waiting for its payment and releases its stock first', () => {
      const decision = changed(decide(awaitingPayment, replies.expired));
      const reason = 'Not completed within 10 minutes (still waiting for payment)';

      expect(decision.next).toEqual({ status: 'cancelled', stockReserved: false, reason, version: 3 });
      expect(sent(decision.messages)).toEqual([
        [ReleaseStock.name, { orderId, reason }],
        [OrderCancelled.name, { orderId, userId, reason, version: 3 }],
        [SendEmail.name, { to: 'ada@example.com', template: 'order-cancelled', params: { orderId, reason, name: 'Ada' } }],
      ]);
    });

    it.each([
      ['confirmed', confirmed],
      ['cancelled', cancelled],
    ] as const)('leaves an order already %s as it is', (stage, state) => {
      expect(decide(state, replies.expired)).toEqual({
        outcome: 'ignored',
        why: `ExpireOrder for an order already ${stage} (version ${state.version})`,
      });
    });

    it.each([
      [600_000, '10 minutes'],
      [60_000, '1 minute'],
      [7_200_000, '2 hours'],
      [90_000, '90 seconds'],
      [1_500, '1500 ms'],
    ])('names a timeout of %i ms as %s', (ms, words) => {
      expect(describeDuration(ms)).toBe(words);
    });
  });

  describe('a success that arrives after the order was cancelled is given back', () => {
    it('releases stock reserved for an order its timeout cancelled while it waited for the stock', () => {
      const decision = decide(expiredAwaitingStock, replies.stockReserved);

      expect(decision).toMatchObject({ outcome: 'compensated' });
      expect('messages' in decision && sent(decision.messages)).toEqual([
        [
          ReleaseStock.name,
          { orderId, reason: `Order ${orderId} was already cancelled: Not completed within 10 minutes (still waiting for stock)` },
        ],
      ]);
    });

    it('refunds a payment that succeeded for a cancelled order, naming the charge and the amount', () => {
      const decision = decide(cancelled, replies.paid);

      expect(decision).toMatchObject({ outcome: 'compensated' });
      expect('messages' in decision && sent(decision.messages)).toEqual([
        [
          RefundPayment.name,
          {
            orderId,
            chargeId: 'ch_1',
            amountCents: 3_900,
            reason: `Order ${orderId} was already cancelled: Payment failed: card declined`,
          },
        ],
      ]);
    });

    it('changes neither the state nor the version of the cancelled order', () => {
      for (const reply of [replies.stockReserved, replies.paid]) expect(decide(cancelled, reply)).not.toHaveProperty('next');
    });
  });

  it('takes every version one further than the state it was decided on', () => {
    const later = order({ stockReserved: true, version: 7 });

    expect(changed(decide(later, replies.paid)).next.version).toBe(8);
    expect(changed(decide(later, replies.declined)).next.version).toBe(8);
  });

  it('sends only messages their contracts accept', () => {
    const decisions = [
      placeOrder(command, TIMEOUT_MS),
      decide(awaitingStock, replies.stockReserved),
      decide(awaitingStock, replies.stockFailed),
      decide(awaitingPayment, replies.paid),
      decide(awaitingPayment, replies.declined),
      decide(awaitingStock, replies.expired),
      decide(awaitingPayment, replies.expired),
      decide(expiredAwaitingStock, replies.stockReserved),
      decide(cancelled, replies.paid),
    ];

    const messages = decisions.flatMap((decision) => ('messages' in decision ? decision.messages : []));

    expect(messages).toHaveLength(18);
    for (const message of messages) expect(message.definition.schema.safeParse(message.data)).toMatchObject({ success: true });
  });
});
