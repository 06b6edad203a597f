import { randomBytes } from 'node:crypto';
import { registerAs, type ConfigType } from '@nestjs/config';
import { ConfigError, parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

const DAY_MS = 24 * 3_600_000;

const schema = z.object({
  /**
   * The key that signs customer session cookies (HMAC-SHA256): at least 32 characters, a secret. `npm start` makes one
   * per data folder; in the cloud it comes from the secret store. Every storefront replica needs the same one.
   */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 48)').optional(),
  /** Whether the session cookie is marked Secure: auto (when the request came over https), always, never. */
  SESSION_COOKIE_SECURE: z.enum(['auto', 'always', 'never']).default('auto'),
  /** How long a session lasts after sign-up (ms). */
  SESSION_TTL_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(90 * DAY_MS)
    .default(7 * DAY_MS),
  NODE_ENV: z.string().optional(),
});

export const sessionConfig = registerAs('session', () => {
  const env = parseConfig('session', schema, process.env);
  if (!env.SESSION_SECRET && env.NODE_ENV === 'production') {
    throw new ConfigError(
      'Invalid session configuration: SESSION_SECRET: required when NODE_ENV=production (the key that signs customer sessions)',
    );
  }
  return {
    /** Outside production, without SESSION_SECRET, a key of this process only: sessions end when it restarts. */
    secret: env.SESSION_SECRET ?? ephemeralSecret(),
    secretIsEphemeral: !env.SESSION_SECRET,
    secure: env.SESSION_COOKIE_SECURE,
    ttlMs: env.SESSION_TTL_MS,
  };
});

export type SessionConfig = ConfigType<typeof sessionConfig>;

let ephemeral: string | undefined;
/** One per process, so every module reading the config signs with the same key. */
function ephemeralSecret(): string {
  return (ephemeral ??= randomBytes(48).toString('base64url'));
}
