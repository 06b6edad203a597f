import { ConfigError } from '@stitch/messaging-core';
import { notificationConfig } from './notification.config';

const variables = [
  'NOTIFICATION_HEARTBEAT_MS',
  'NOTIFICATION_RETENTION_MS',
  'NOTIFICATION_PRUNE_INTERVAL_MS',
  'NOTIFICATION_LISTEN_RETRY_MAX_MS',
];

function load(env: Record<string, string>) {
  const saved = { ...process.env };
  for (const variable of variables) delete process.env[variable];
  Object.assign(process.env, env);
  try {
    return notificationConfig();
  } finally {
    process.env = saved;
  }
}

describe('notification config', () => {
  it('beats every 15 s, keeps a day, prunes every 10 minutes and retries listening within 5 s unless told otherwise', () => {
    expect(load({})).toEqual({ heartbeatMs: 15_000, retentionMs: 86_400_000, pruneIntervalMs: 600_000, listenRetryMaxMs: 5_000 });
    expect(
      load({
        NOTIFICATION_HEARTBEAT_MS: '5000',
        NOTIFICATION_RETENTION_MS: '3600000',
        NOTIFICATION_PRUNE_INTERVAL_MS: '60000',
        NOTIFICATION_LISTEN_RETRY_MAX_MS: '1000',
      }),
    ).toEqual({ heartbeatMs: 5_000, retentionMs: 3_600_000, pruneIntervalMs: 60_000, listenRetryMaxMs: 1_000 });
  });

  it('refuses a value that is not a sensible number of milliseconds, naming it', () => {
    const wrong: Record<string, string[]> = {
      NOTIFICATION_HEARTBEAT_MS: ['soon', '10', '3600000'],
      NOTIFICATION_RETENTION_MS: ['forever', '1000', '999999999999'],
      NOTIFICATION_PRUNE_INTERVAL_MS: ['often', '10'],
      NOTIFICATION_LISTEN_RETRY_MAX_MS: ['later', '1'],
    };
    for (const [variable, values] of Object.entries(wrong)) {
      for (const value of values) {
        expect(() => load({ [variable]: value })).toThrow(ConfigError);
        expect(() => load({ [variable]: value })).toThrow(new RegExp(`^Invalid notification configuration: ${variable}: `));
      }
    }
  });
});
