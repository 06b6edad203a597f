import path from 'node:path';
import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';

/** A blank `SMTP_URL=` (as an .env file leaves it) means "not set". */
const blankAsUnset = (value: unknown) => (value === '' ? undefined : value);

const schema = z.object({
  /** The shop's own address, on every mail. */
  MAIL_FROM: z
    .string()
    .default('Stitch <shop@stitch.local>')
    .refine((value) => addressparser(value, { flatten: true }).filter((a) => a.address.includes('@')).length === 1, {
      error: 'must be one address, e.g. Stitch <shop@stitch.local>',
    }),
  /** The folder mails are written to when there is no SMTP server; default `<STITCH_DATA_DIR>/mail`. */
  MAIL_DIR: z.preprocess(blankAsUnset, z.string().min(1).optional()),
  STITCH_DATA_DIR: z.string().min(1).default('.data'),
  /**
   * An SMTP server to hand mails to instead, e.g. smtp://user:password@mail.example.com:587. It may carry a
   * password, so no message (this one's error included) ever repeats it.
   */
  SMTP_URL: z.preprocess(
    blankAsUnset,
    z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:password@127.0.0.1:587' }).optional(),
  ),
});

export const mailConfig = registerAs('mail', () => {
  const env = parseConfig('mail', schema, process.env);
  return {
    from: env.MAIL_FROM,
    dir: path.resolve(env.MAIL_DIR ?? path.join(env.STITCH_DATA_DIR, 'mail')),
    smtp: env.SMTP_URL ? { url: env.SMTP_URL, host: new URL(env.SMTP_URL).host } : undefined,
  };
});

export type MailConfig = ConfigType<typeof mailConfig>;
