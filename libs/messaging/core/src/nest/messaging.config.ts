import { registerAs, type ConfigType } from '@nestjs/config';
import { z } from 'zod';
import { parseConfig } from '../config-error';
import { SHOP_ID_PATTERN, SHOP_ID_RULE } from '../shop-marker';

const flag = z.enum(['on', 'off']).transform((value) => value === 'on');

const schema = z.object({
  MESSAGING_TRANSPORT: z.enum(['local', 'azure', 'aws']).default('local'),
  /** The embedded transport's file and other local state live under it. */
  STITCH_DATA_DIR: z.string().min(1).default('.data'),
  MESSAGING_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(16),
  MESSAGING_LOCK_MS: z.coerce.number().int().min(1).default(30_000),
  MESSAGING_RETRY_IMMEDIATE: z.coerce.number().int().min(0).max(100).default(2),
  MESSAGING_RETRY_BASE_MS: z.coerce.number().int().min(1).default(200),
  MESSAGING_RETRY_MAX_MS: z.coerce.number().int().min(1).default(30_000),
  MESSAGING_FLOW: flag.default(true),
  /** How long a starting service waits for its broker to answer before it stops with one line saying so. */
  MESSAGING_START_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** While a dependency is down, consumption pauses; the first probe waits this long, later ones twice as long each. */
  MESSAGING_OUTAGE_PROBE_MS: z.coerce.number().int().min(10).default(1_000),
  /** The longest wait between two probes of a dependency that is down. */
  MESSAGING_OUTAGE_PROBE_MAX_MS: z.coerce.number().int().min(10).default(10_000),
  /**
   * The shop instance this process belongs to; its topology is marked with it. Optional here so that tools and tests
   * without a topology need none; the shop's transports refuse to start a service without it (`requireShopId`).
   */
  STITCH_SHOP_ID: z.preprocess((value) => (value === '' ? undefined : value), z.string().regex(SHOP_ID_PATTERN, SHOP_ID_RULE).optional()),
});

export const messagingConfig = registerAs('messaging', () => {
  const env = parseConfig('messaging', schema, process.env);
  return {
    transport: env.MESSAGING_TRANSPORT,
    dataDir: env.STITCH_DATA_DIR,
    concurrency: env.MESSAGING_CONCURRENCY,
    lockMs: env.MESSAGING_LOCK_MS,
    retry: {
      immediate: env.MESSAGING_RETRY_IMMEDIATE,
      baseDelayMs: env.MESSAGING_RETRY_BASE_MS,
      maxDelayMs: env.MESSAGING_RETRY_MAX_MS,
      jitter: 0.2,
    },
    flowEnabled: env.MESSAGING_FLOW,
    startTimeoutMs: env.MESSAGING_START_TIMEOUT_MS,
    outage: {
      probeDelayMs: env.MESSAGING_OUTAGE_PROBE_MS,
      maxProbeDelayMs: Math.max(env.MESSAGING_OUTAGE_PROBE_MS, env.MESSAGING_OUTAGE_PROBE_MAX_MS),
    },
    shopId: env.STITCH_SHOP_ID,
  };
});

export type MessagingConfig = ConfigType<typeof messagingConfig>;
