import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

const schema = z.object({
  /**
   * Workshop only (docs/workshop, lab 04): the last four digits of a card whose every charge fails in the payment
   * service, as a bug would, so its ChargePayment is a poison message that ends among the dead letters. Unset, the
   * default, in every real shop.
   */
  PAYMENT_SERVICE_POISON_CARD_LAST4: z
    .string()
    .regex(/^(\d{4})?$/, 'give the last four digits of a card, e.g. 0119, or nothing')
    .optional()
    .transform((value) => value || undefined),
});

export const workshopConfig = registerAs('workshop', () => {
  const env = parseConfig('workshop', schema, process.env);
  return { poisonCardLast4: env.PAYMENT_SERVICE_POISON_CARD_LAST4 };
});

export type WorkshopConfig = ConfigType<typeof workshopConfig>;
