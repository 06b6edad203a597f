import { ConfigError } from '@stitch/messaging-core';
import { workshopConfig } from './workshop.config';

function load(env: Record<string, string>) {
  const saved = { ...process.env };
  delete process.env['PAYMENT_SERVICE_POISON_CARD_LAST4'];
  Object.assign(process.env, env);
  try {
    return workshopConfig();
  } finally {
    process.env = saved;
  }
}

describe('workshop config of the payment service', () => {
  it('has no poison card unless a workshop names one', () => {
    expect(load({})).toEqual({ poisonCardLast4: undefined });
    expect(load({ PAYMENT_SERVICE_POISON_CARD_LAST4: '' })).toEqual({ poisonCardLast4: undefined });
    expect(load({ PAYMENT_SERVICE_POISON_CARD_LAST4: '0119' })).toEqual({ poisonCardLast4: '0119' });
  });

  it('refuses anything but four digits, naming the variable', () => {
    for (const value of ['119', '40000119', 'abcd', '4000 0000 0000 0119']) {
      expect(() => load({ PAYMENT_SERVICE_POISON_CARD_LAST4: value })).toThrow(ConfigError);
      expect(() => load({ PAYMENT_SERVICE_POISON_CARD_LAST4: value })).toThrow(
        /^Invalid workshop configuration: PAYMENT_SERVICE_POISON_CARD_LAST4: /,
      );
    }
  });
});
