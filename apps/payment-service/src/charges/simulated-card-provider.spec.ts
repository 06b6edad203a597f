import { DECLINED_CARD_TOKEN, IdempotencyKeyReusedError, SimulatedCardProvider } from './simulated-card-provider';

const request = { idempotencyKey: 'order-1', amountCents: 4_998, currency: 'EUR', token: 'tok_visa4242' };

describe('SimulatedCardProvider', () => {
  it('charges any card but the declining test card', async () => {
    const result = await new SimulatedCardProvider().charge(request);
    expect(result).toEqual({ status: 'succeeded', chargeId: expect.stringMatching(/^ch_sim_[0-9a-f]{32}$/) });
  });

  it('declines the test card 4000000000000002 by its token', async () => {
    expect(await new SimulatedCardProvider().charge({ ...request, token: DECLINED_CARD_TOKEN })).toEqual({ status: 'declined', reason: 'card declined' });
  });

  it('answers a repeated key with the first outcome instead of charging again', async () => {
    const provider = new SimulatedCardProvider();
    const first = await provider.charge(request);
    expect(await provider.charge({ ...request })).toEqual(first);

    await provider.charge({ ...request, idempotencyKey: 'order-2', token: DECLINED_CARD_TOKEN });
    expect(await provider.charge({ ...request, idempotencyKey: 'order-2', token: DECLINED_CARD_TOKEN })).toEqual({ status: 'declined', reason: 'card declined' });
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
});
