import { ConfigError } from '@stitch/messaging-core';
import { sessionConfig } from './session.config';

function load(env: Record<string, string>) {
  const saved = { ...process.env };
  for (const name of ['SESSION_SECRET', 'SESSION_COOKIE_SECURE', 'SESSION_TTL_MS', 'NODE_ENV']) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return sessionConfig();
  } finally {
    process.env = saved;
  }
}

const secret = 'k'.repeat(48);

describe('session config', () => {
  it('signs with SESSION_SECRET, a cookie Secure over https, lasting 7 days unless told otherwise', () => {
    expect(load({ SESSION_SECRET: secret })).toEqual({ secret, secretIsEphemeral: false, secure: 'auto', ttlMs: 7 * 24 * 3_600_000 });
    expect(load({ SESSION_SECRET: secret, SESSION_COOKIE_SECURE: 'always', SESSION_TTL_MS: '3600000' })).toMatchObject({
      secure: 'always',
      ttlMs: 3_600_000,
    });
  });

  it('refuses to start in production without a key, naming SESSION_SECRET', () => {
    expect(() => load({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => load({ NODE_ENV: 'production' })).toThrow(
      /^Invalid session configuration: SESSION_SECRET: required when NODE_ENV=production/,
    );
  });

  it('outside production, without a key, signs with one of this process only', () => {
    const first = load({});
    expect(first.secretIsEphemeral).toBe(true);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(load({}).secret).toBe(first.secret);
  });

  it('refuses a key too short or a setting it does not know, naming it and never quoting the key', () => {
    expect(() => load({ SESSION_SECRET: 'short-secret' })).toThrow(
      /^Invalid session configuration: SESSION_SECRET: must be at least 32 characters/,
    );
    expect(() => load({ SESSION_SECRET: 'short-secret' })).not.toThrow(/short-secret/);
    expect(() => load({ SESSION_SECRET: secret, SESSION_COOKIE_SECURE: 'yes' })).toThrow(/SESSION_COOKIE_SECURE/);
    expect(() => load({ SESSION_SECRET: secret, SESSION_TTL_MS: '10' })).toThrow(/SESSION_TTL_MS/);
  });
});
