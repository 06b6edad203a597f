import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const schema = z.object({
  /** How often an idle stream gets a comment line, so proxies and load balancers keep it open. */
  NOTIFICATION_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  /** How long a notification is kept for a browser to resume from (Last-Event-ID); older ones are pruned. */
  NOTIFICATION_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(MINUTE)
    .max(30 * DAY)
    .default(DAY),
  /** How often a replica prunes notifications older than the retention. */
  NOTIFICATION_PRUNE_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(DAY)
    .default(10 * MINUTE),
  /** The longest wait between attempts to reconnect the listening connection after it dropped. */
  NOTIFICATION_LISTEN_RETRY_MAX_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(5 * MINUTE)
    .default(5_000),
});

export const notificationConfig = registerAs('notification', () => {
  const env = parseConfig('notification', schema, process.env);
  return {
    heartbeatMs: env.NOTIFICATION_HEARTBEAT_MS,
    retentionMs: env.NOTIFICATION_RETENTION_MS,
    pruneIntervalMs: env.NOTIFICATION_PRUNE_INTERVAL_MS,
    listenRetryMaxMs: env.NOTIFICATION_LISTEN_RETRY_MAX_MS,
  };
});

export type NotificationConfig = ConfigType<typeof notificationConfig>;
