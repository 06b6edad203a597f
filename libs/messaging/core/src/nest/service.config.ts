import { registerAs, type ConfigType } from '@nestjs/config';
import { z } from 'zod';
import { parseConfig } from '../config-error';

const schema = z.object({
  /** `<service>-<n>`, given by the launcher; names this replica in logs and flow records. */
  INSTANCE_ID: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How often a supervisor (the launcher) has restarted this replica; shown on the page's flow view. */
  STITCH_RESTARTS: z.coerce.number().int().min(0).default(0),
});

export const serviceConfig = registerAs('service', () => {
  const env = parseConfig('service', schema, process.env);
  return { instanceId: env.INSTANCE_ID, host: env.HOST, port: env.PORT, logLevel: env.LOG_LEVEL, restarts: env.STITCH_RESTARTS };
});

export type ServiceConfig = ConfigType<typeof serviceConfig>;
