import { ConfigError } from '@stitch/messaging-core';
import { operatorConfig } from './operator.config';
import { requestPolicyConfig } from './request-policy.config';

function withEnv<T>(env: Record<string, string | undefined>, read: () => T): T {
  const saved = { ...process.env };
  try {
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    return read();
  } finally {
    process.env = saved;
  }
}

describe('the operator settings', () => {
  it('refuse to start in production without an operator token, in one line', () => {
    let thrown: unknown;
    try {
      withEnv({ NODE_ENV: 'production', OPERATOR_TOKEN: undefined }, operatorConfig);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toBe(
      'Invalid operator configuration: OPERATOR_TOKEN: required with NODE_ENV=production (the dead-letter endpoints need an operator credential)',
    );
  });

  it('take a token in production, and none elsewhere (the endpoints stay closed)', () => {
    expect(withEnv({ NODE_ENV: 'production', OPERATOR_TOKEN: 'a-long-enough-operator-token' }, operatorConfig)).toEqual({
      token: 'a-long-enough-operator-token',
    });
    expect(withEnv({ NODE_ENV: undefined, OPERATOR_TOKEN: '' }, operatorConfig)).toEqual({ token: undefined });
  });

  it('refuse a short token without quoting it', () => {
    expect(() => withEnv({ OPERATOR_TOKEN: 'hunter2' }, operatorConfig)).toThrow(
      /^Invalid operator configuration: OPERATOR_TOKEN: at least 16 characters$/,
    );
  });
});

describe('the request policy', () => {
  it('defaults to no other origin and 60 POSTs a minute', () => {
    expect(withEnv({ ALLOWED_ORIGINS: undefined, RATE_LIMIT_POSTS_PER_MINUTE: undefined }, requestPolicyConfig)).toEqual({
      allowedOrigins: [],
      postsPerMinute: 60,
    });
  });

  it('takes origins and refuses what is not one', () => {
    expect(withEnv({ ALLOWED_ORIGINS: 'https://shop.example, http://127.0.0.1:4000' }, requestPolicyConfig).allowedOrigins).toEqual([
      'https://shop.example',
      'http://127.0.0.1:4000',
    ]);
    expect(() => withEnv({ ALLOWED_ORIGINS: 'https://shop.example/path' }, requestPolicyConfig)).toThrow(ConfigError);
  });
});
