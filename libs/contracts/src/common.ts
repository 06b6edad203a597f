import { z } from 'zod';

export const id = z.uuid();

/**
 * Text a person typed, stored and mailed as it is: no control characters (PostgreSQL's text refuses NUL, and a
 * line break in a name breaks a mail header) and no unpaired surrogates (not valid UTF-8). Refused when the message
 * is made, not five attempts later in a consumer's database.
 */
export const personalText = (maxLength: number) =>
  z
    .string()
    .min(1)
    .max(maxLength)
    .refine((text) => !/\p{Cc}/u.test(text), 'must not contain control characters')
    // With the u flag a proper surrogate pair is one code point; only an unpaired half is in category Cs.
    .refine((text) => !/\p{Cs}/u.test(text), 'must not contain unpaired surrogates (not valid Unicode)');

/** RFC 5321 limits a forward path to 256 octets, so an address to 254. */
export const emailAddress = z.email().max(254, 'an email address has at most 254 characters');
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
