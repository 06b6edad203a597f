import { ConfigError } from '@stitch/messaging-core';
import { notificationConfig } from './notification.config';

function load(env: Record<string, string>) {
  const saved = { ...process.env };
  delete process.env['NOTIFICATION_HEARTBEAT_MS'];
  Object.assign(process.env, env);
  try {
    return notificationConfig();
  } finally {
    process.env = saved;
  }
}

describe('notification config', () => {
  it('beats every 15 s unless told otherwise', () => {
    expect(load({})).toEqual({ heartbeatMs: 15_000 });
    expect(load({ NOTIFICATION_HEARTBEAT_MS: '5000' })).toEqual({ heartbeatMs: 5_000 });
  });

  it('refuses a heartbeat that is not a sensible number of milliseconds, naming it', () => {
    for (const value of ['soon', '10', '3600000']) {
      expect(() => load({ NOTIFICATION_HEARTBEAT_MS: value })).toThrow(ConfigError);
      expect(() => load({ NOTIFICATION_HEARTBEAT_MS: value })).toThrow(/^Invalid notification configuration: NOTIFICATION_HEARTBEAT_MS: /);
    }
  });
});
