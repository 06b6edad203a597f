import { z } from 'zod';

export const id = z.uuid();
export const sku = z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, 'a SKU is 2-32 upper-case letters, digits and dashes');
export const cents = z.number().int().nonnegative();
export const quantity = z.number().int().min(1).max(100);
/** An order's version, so consumers that show its state can ignore a stale event. */
export const orderVersion = z.number().int().min(1);

/**
 * What travels instead of a card: a provider token and the last four digits. Nothing here can hold a card
 * number, so one cannot reach a log, flow record, outbox or dead-letter queue by way of a message.
 */
export const paymentMethod = z.strictObject({
  token: z.string().regex(/^tok_[A-Za-z0-9_]{4,64}$/),
  last4: z.string().regex(/^\d{4}$/),
});

export const orderLine = z.strictObject({ sku, quantity, unitPriceCents: cents });
