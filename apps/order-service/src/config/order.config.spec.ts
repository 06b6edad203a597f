import { ConfigError } from '@stitch/messaging-core';
import { orderConfig } from './order.config';

function load(env: Record<string, string>) {
  const saved = { ...process.env };
  delete process.env['ORDER_TIMEOUT_MS'];
  Object.assign(process.env, env);
  try {
    return orderConfig();
  } finally {
    process.env = saved;
  }
}

describe('order config', () => {
  it('gives an order 10 minutes to complete unless told otherwise', () => {
    expect(load({})).toEqual({ timeoutMs: 600_000 });
    expect(load({ ORDER_TIMEOUT_MS: '1800000' })).toEqual({ timeoutMs: 1_800_000 });
  });

  it('refuses a timeout that is not a sensible number of milliseconds, naming it', () => {
    for (const value of ['soon', '10', '-5', '1.5', String(8 * 24 * 3_600_000)]) {
      expect(() => load({ ORDER_TIMEOUT_MS: value })).toThrow(ConfigError);
      expect(() => load({ ORDER_TIMEOUT_MS: value })).toThrow(/^Invalid order configuration: ORDER_TIMEOUT_MS: /);
    }
  });
});
