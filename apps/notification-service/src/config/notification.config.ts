import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

const schema = z.object({
  /** How often an idle stream gets a comment line, so proxies and load balancers keep it open. */
  NOTIFICATION_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
});

export const notificationConfig = registerAs('notification', () => {
  const env = parseConfig('notification', schema, process.env);
  return { heartbeatMs: env.NOTIFICATION_HEARTBEAT_MS };
});

export type NotificationConfig = ConfigType<typeof notificationConfig>;
