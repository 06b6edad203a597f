import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

const WEEK_MS = 7 * 24 * 3_600_000;

const schema = z.object({
  /** An order still pending this long after it was placed is cancelled, and what it held given back. */
  ORDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(WEEK_MS).default(600_000),
});

export const orderConfig = registerAs('order', () => {
  const env = parseConfig('order', schema, process.env);
  return { timeoutMs: env.ORDER_TIMEOUT_MS };
});

export type OrderConfig = ConfigType<typeof orderConfig>;
