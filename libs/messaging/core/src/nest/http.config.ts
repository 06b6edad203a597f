import { isIP } from 'node:net';
import { registerAs, type ConfigType } from '@nestjs/config';
import { z } from 'zod';
import { parseConfig } from '../config-error';

/** Express's names for address ranges, usable in TRUST_PROXY beside addresses and CIDR ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isTrustEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length > 0 || !address || isIP(address) === 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128));
}

/**
 * Which proxies may tell the client's address (X-Forwarded-For) and scheme: Express's `trust proxy`. Off by default:
 * the forwarded headers are ignored and the client is the peer of the TCP connection. `true` (trust anyone) is
 * refused, since then any client picks its own address.
 */
export const trustProxySchema = z
  .string()
  .trim()
  .default('off')
  .transform((value, context): false | number | string[] => {
    if (value === '' || value === 'off' || value === 'false') return false;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const wrong = entries.filter((entry) => !isTrustEntry(entry));
    if (entries.length === 0 || wrong.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `expected off, a number of proxy hops, or addresses/CIDR ranges/loopback/linklocal/uniquelocal separated by commas; not ${wrong.join(', ') || value}`,
      });
      return z.NEVER;
    }
    return entries;
  });

const schema = z.object({
  /** The proxies in front of this service whose X-Forwarded-* headers are believed (Express `trust proxy`). */
  TRUST_PROXY: trustProxySchema,
});

export const httpConfig = registerAs('http', () => {
  const env = parseConfig('http', schema, process.env);
  return { trustProxy: env.TRUST_PROXY };
});

export type HttpConfig = ConfigType<typeof httpConfig>;
