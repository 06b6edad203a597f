import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { PaymentFailed, PaymentSucceeded, type ChargePayment } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import type { MessageBus } from '@stitch/messaging-core';
import type { CardChargeRequest, CardProvider, CardRefundRequest } from './card-provider';
import { ChargeHandlers, PoisonCardError } from './charge.handlers';
import type { ChargeLedger, NewCharge } from './charge-ledger';
import { paymentOutcome, type ChargeRecord } from './payment-outcome';
import { DECLINED_CARD_TOKEN, SimulatedCardProvider } from './simulated-card-provider';

/** The ledger's behaviour without a database: one charge per order, the first one stays. */
class LedgerInMemory {
  readonly byOrder = new Map<string, ChargeRecord>();

  async findByOrder(orderId: string): Promise<ChargeRecord | null> {
    return this.byOrder.get(orderId) ?? null;
  }

  async record(charge: NewCharge): Promise<ChargeRecord> {
    if (!this.byOrder.has(charge.orderId)) {
      this.byOrder.set(charge.orderId, {
        id: randomUUID(),
        orderId: charge.orderId,
        amountCents: charge.amountCents,
        status: charge.outcome.status,
        declineReason: charge.outcome.status === 'declined' ? charge.outcome.reason : null,
      });
    }
    return this.byOrder.get(charge.orderId)!;
  }
}

class CountingProvider implements CardProvider {
  readonly requests: CardChargeRequest[] = [];
  private readonly simulated = new SimulatedCardProvider();

  charge(request: CardChargeRequest) {
    this.requests.push(request);
    return this.simulated.charge(request);
  }

  refund(request: CardRefundRequest) {
    return this.simulated.refund(request);
  }
}

function setUp(workshop: { poisonCardLast4?: string } = {}) {
  const ledger = new LedgerInMemory();
  const provider = new CountingProvider();
  const published: Array<{ type: string; data: unknown }> = [];
  const bus = { publish: async (event: { type: string }, data: unknown) => void published.push({ type: event.type, data }) };
  const handlers = new ChargeHandlers(ledger as unknown as ChargeLedger, provider, bus as unknown as MessageBus, {
    poisonCardLast4: workshop.poisonCardLast4,
  });
  return { ledger, provider, published, handlers };
}

function command(token = 'tok_visa4242'): MessageData<typeof ChargePayment> {
  return { orderId: randomUUID(), amountCents: 7_998, currency: 'EUR', paymentMethod: { token, last4: '4242' } };
}

/** What the handlers log, instead of the console. */
let logged: string[];

beforeEach(() => {
  logged = [];
  jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => void logged.push(String(message)));
});

afterEach(() => jest.restoreAllMocks());

describe('ChargeHandlers', () => {
  it('charges the card with the order id as idempotency key and publishes PaymentSucceeded', async () => {
    const { provider, published, handlers, ledger } = setUp();
    const data = command();

    await handlers.charge(data);

    expect(provider.requests).toEqual([{ idempotencyKey: data.orderId, amountCents: 7_998, currency: 'EUR', token: 'tok_visa4242' }]);
    const charge = ledger.byOrder.get(data.orderId)!;
    expect(published).toEqual([{ type: PaymentSucceeded.type, data: { orderId: data.orderId, chargeId: charge.id, amountCents: 7_998 } }]);
  });

  it('publishes PaymentFailed with the reason when the card is declined', async () => {
    const { published, handlers } = setUp();
    const data = command(DECLINED_CARD_TOKEN);

    await handlers.charge(data);

    expect(published).toEqual([{ type: PaymentFailed.type, data: { orderId: data.orderId, reason: 'card declined' } }]);
  });

  it('tells the stored outcome again for an order already charged, without asking the provider', async () => {
    const { provider, published, handlers } = setUp();
    const succeeded = command();
    const declined = command(DECLINED_CARD_TOKEN);

    await handlers.charge(succeeded);
    await handlers.charge({ ...succeeded });
    await handlers.charge(declined);
    await handlers.charge({ ...declined });

    expect(provider.requests).toHaveLength(2);
    expect(published[1]).toEqual(published[0]);
    expect(published[3]).toEqual(published[2]);
  });

  it('fails every charge on the workshop poison card, before the provider is asked and without publishing', async () => {
    const { provider, published, handlers, ledger } = setUp({ poisonCardLast4: '4242' });
    const data = command();

    for (let attempt = 0; attempt < 2; attempt++) await expect(handlers.charge(data)).rejects.toThrow(PoisonCardError);

    expect(provider.requests).toEqual([]);
    expect(published).toEqual([]);
    expect(ledger.byOrder.size).toBe(0);
    await expect(setUp({ poisonCardLast4: '0119' }).handlers.charge(data)).resolves.toBeUndefined();
  });

  it('logs the last four digits of the card and never its token', async () => {
    const { handlers } = setUp();
    const data = command('tok_secretCardToken123');

    await handlers.charge(data);
    await handlers.charge(data);

    expect(logged.join('\n')).toContain('4242');
    expect(logged.join('\n')).not.toContain('tok_secretCardToken123');
  });
});

describe('paymentOutcome', () => {
  it('falls back to a generic reason for a declined charge stored without one', () => {
    const orderId = randomUUID();
    expect(paymentOutcome({ id: randomUUID(), orderId, amountCents: 1, status: 'declined', declineReason: null })).toEqual({
      event: PaymentFailed,
      data: { orderId, reason: 'card declined' },
    });
  });
});
