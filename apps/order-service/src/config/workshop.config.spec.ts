import { ConfigError } from '@stitch/messaging-core';
import { workshopConfig } from './workshop.config';

function load(env: Record<string, string>) {
  const saved = { ...process.env };
  delete process.env['ORDER_SERVICE_SIGNUP_DELAY_MS'];
  Object.assign(process.env, env);
  try {
    return workshopConfig();
  } finally {
    process.env = saved;
  }
}

describe('workshop config of the order service', () => {
  it('stores a new user at once unless a workshop asks for a delay', () => {
    expect(load({})).toEqual({ signupDelayMs: 0 });
    expect(load({ ORDER_SERVICE_SIGNUP_DELAY_MS: '2000' })).toEqual({ signupDelayMs: 2_000 });
  });

  it('refuses a delay that is not whole milliseconds from 0 to 20 s, naming it', () => {
    for (const value of ['soon', '-1', '1.5', '20001']) {
      expect(() => load({ ORDER_SERVICE_SIGNUP_DELAY_MS: value })).toThrow(ConfigError);
      expect(() => load({ ORDER_SERVICE_SIGNUP_DELAY_MS: value })).toThrow(
        /^Invalid workshop configuration: ORDER_SERVICE_SIGNUP_DELAY_MS: /,
      );
    }
  });
});
