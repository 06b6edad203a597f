import { DECLINED_CARD_TOKEN, IdempotencyKeyReusedError, SimulatedCardProvider } from './simulated-card-provider';

const request = { idempotencyKey: 'order-1', amountCents: 4_998, currency: 'EUR', token: 'tok_visa4242' };

describe('SimulatedCardProvider', () => {
  it('charges any card but the declining test card', async () => {
    const result = await new SimulatedCardProvider().charge(request);
    expect(result).toEqual({ status: 'succeeded', chargeId: expect.stringMatching(/^ch_sim_[0-9a-f]{32}$/) });
  });

  it('declines the test card 4000000000000002 by its token', async () => {
    expect(await new SimulatedCardProvider().charge({ ...request, token: DECLINED_CARD_TOKEN })).toEqual({
      status: 'declined',
      reason: 'card declined',
    });
  });

  it('answers a repeated key with the first outcome instead of charging again', async () => {
    const provider = new SimulatedCardProvider();
    const first = await provider.charge(request);
    expect(await provider.charge({ ...request })).toEqual(first);

    await provider.charge({ ...request, idempotencyKey: 'order-2', token: DECLINED_CARD_TOKEN });
    expect(await provider.charge({ ...request, idempotencyKey: 'order-2', token: DECLINED_CARD_TOKEN })).toEqual({
      status: 'declined',
      reason: 'card declined',
    });
  });

  it('gives different keys different charges', async () => {
    const provider = new SimulatedCardProvider();
    const first = await provider.charge(request);
    const second = await provider.charge({ ...request, idempotencyKey: 'order-2' });
    expect(second).not.toEqual(first);
  });

  it('refuses a key reused for a different amount or card', async () => {
    const provider = new SimulatedCardProvider();
    await provider.charge(request);
    await expect(provider.charge({ ...request, amountCents: 1 })).rejects.toThrow(IdempotencyKeyReusedError);
    await expect(provider.charge({ ...request, token: 'tok_other1234' })).rejects.toThrow(IdempotencyKeyReusedError);
  });

  it('refunds once per key: a repeated refund gets the first one back, a different one under the same key is refused', async () => {
    const provider = new SimulatedCardProvider();
    const refund = { idempotencyKey: 'order-1', chargeId: 'ch_sim_1', amountCents: 4_998 };
    const first = await provider.refund(refund);
    expect(first).toEqual({ refundId: expect.stringMatching(/^re_sim_[0-9a-f]{32}$/) });
    expect(await provider.refund({ ...refund })).toEqual(first);
    await expect(provider.refund({ ...refund, amountCents: 1 })).rejects.toThrow(IdempotencyKeyReusedError);
  });
});
