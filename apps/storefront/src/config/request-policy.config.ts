import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

const origin = z.url({ protocol: /^https?$/ }).transform((url, context) => {
  const parsed = new URL(url);
  if (parsed.pathname !== '/' || parsed.search || parsed.hash || url.replace(/\/$/, '') !== parsed.origin) {
    context.addIssue({ code: 'custom', message: `${url} is not an origin (scheme://host[:port], nothing after it)` });
    return z.NEVER;
  }
  return parsed.origin;
});

const schema = z.object({
  /**
   * Other origins (scheme://host[:port], comma-separated) allowed to send the storefront's API POSTs from a browser,
   * and answered with CORS headers. Default none: only the storefront's own page.
   */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(origin)),
  /** POSTs one client (its address: see TRUST_PROXY) may make per minute, all routes together; then 429 with Retry-After. */
  RATE_LIMIT_POSTS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(60),
});

export const requestPolicyConfig = registerAs('requestPolicy', () => {
  const env = parseConfig('requestPolicy', schema, process.env);
  return { allowedOrigins: env.ALLOWED_ORIGINS, postsPerMinute: env.RATE_LIMIT_POSTS_PER_MINUTE };
});

export type RequestPolicyConfig = ConfigType<typeof requestPolicyConfig>;
