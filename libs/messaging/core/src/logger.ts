import pino, { type DestinationStream, type Logger } from 'pino';
import { currentMessageContext } from './message-context';

export type { Logger };

/**
 * One JSON line per event, tagged with the service and replica, and with the correlation id of the message or
 * HTTP request being handled, so the lines of one order can be followed across every process.
 */
export function createLogger(bindings: { service: string; instance: string }, level = 'info', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: bindings,
    mixin: () => {
      const context = currentMessageContext();
      return context ? { correlationId: context.correlationId } : {};
    },
    // Defence in depth: no field by these names is logged whatever a caller passes.
    redact: { paths: ['*.card', '*.cardNumber', '*.password', '*.connectionString', 'card', 'cardNumber'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
