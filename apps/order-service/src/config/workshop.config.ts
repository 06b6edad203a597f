import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

/**
 * The handler waits inside the inbox's transaction, which the database gives 30 s: the delay stays well below, so a
 * held UserSignedUp is slow, never failed.
 */
export const MAX_SIGNUP_DELAY_MS = 20_000;

const schema = z.object({
  /**
   * Workshop only (docs/workshop, labs 03 and 04): order-service holds each UserSignedUp this long before storing the
   * user, so an order placed right after sign-up reaches it first and is retried, and a replica can be killed while it
   * holds a message. 0, the default, in every real shop.
   */
  ORDER_SERVICE_SIGNUP_DELAY_MS: z.coerce.number().int().min(0).max(MAX_SIGNUP_DELAY_MS).default(0),
});

export const workshopConfig = registerAs('workshop', () => {
  const env = parseConfig('workshop', schema, process.env);
  return { signupDelayMs: env.ORDER_SERVICE_SIGNUP_DELAY_MS };
});

export type WorkshopConfig = ConfigType<typeof workshopConfig>;
