import pino, { type Logger } from 'pino';

export type { Logger };

/** One JSON line per event, tagged with the service and replica so interleaved output of many processes reads. */
export function createLogger(bindings: { service: string; instance: string }, level = 'info'): Logger {
  return pino({
    level,
    base: bindings,
    // Defence in depth: no field by these names is logged whatever a caller passes.
    redact: { paths: ['*.card', '*.cardNumber', '*.password', '*.connectionString', 'card', 'cardNumber'], censor: '[redacted]' },
  });
}
