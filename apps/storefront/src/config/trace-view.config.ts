import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

const flag = z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((value) => value === 'true' || value === '1' || value === 'on');

const schema = z.object({
  /** Without TRACE_VIEW_ENABLED, production leaves the trace view off: an image runs it only when told to. */
  NODE_ENV: z.string().optional(),
  /**
   * The OTLP receiver (`/otlp/v1/traces`, `/otlp/v1/metrics`) and the trace API (`/api/traces`). Default: on, except
   * with NODE_ENV=production; `npm start` runs the storefront without NODE_ENV, so the shop's services export to it.
   */
  TRACE_VIEW_ENABLED: z.preprocess((value) => (value === '' ? undefined : value), flag.optional()),
  /** Spans kept in memory, every trace together; past it the least recently updated traces go, whole. */
  TRACE_VIEW_MAX_SPANS: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
  /** The largest OTLP request body accepted (bytes, after any gzip); a larger one is a 413. */
  TRACE_VIEW_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1_048_576)
    .default(4 * 1_048_576),
});

export const traceViewConfig = registerAs('traceView', () => {
  const env = parseConfig('traceView', schema, process.env);
  return {
    enabled: env.TRACE_VIEW_ENABLED ?? env.NODE_ENV !== 'production',
    maxSpans: env.TRACE_VIEW_MAX_SPANS,
    maxBodyBytes: env.TRACE_VIEW_MAX_BODY_BYTES,
  };
});

export type TraceViewConfig = ConfigType<typeof traceViewConfig>;
