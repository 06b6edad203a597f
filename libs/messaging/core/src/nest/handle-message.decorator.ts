import { EventPattern } from '@nestjs/microservices';
import type { MessageDefinition } from '@stitch/messaging-catalogue';
import { mergeRetryPolicy, type HandlerRetryOptions } from '../retry-policy';

/** Where the handler's retry options travel from the decorator to the transport strategy (Nest's pattern extras). */
export const HANDLER_RETRY_EXTRAS = 'stitch.retry';

/**
 * Declares the handler of one catalogue message: `@HandleMessage(ReserveStock)`. The pattern is the versioned
 * type, so a handler can never be bound to a name the catalogue does not know (the server checks at start).
 * `options` change the service's retry policy for this handler only, and name errors it must never retry:
 * `@HandleMessage(PlaceOrder, { retry: { immediate: 0, baseDelayMs: 500 }, permanent: [OutOfRangeError] })`.
 */
export function HandleMessage(definition: MessageDefinition, options?: HandlerRetryOptions): MethodDecorator {
  if (!options) return EventPattern(definition.type);
  try {
    // The override's own values, at import; the consumer checks the policy again once merged with the config's.
    mergeRetryPolicy({ immediate: 0, baseDelayMs: 1, maxDelayMs: Number.MAX_SAFE_INTEGER, jitter: 0 }, options.retry);
  } catch (error) {
    throw new Error(`@HandleMessage(${definition.name}): ${(error as Error).message}`);
  }
  return EventPattern(definition.type, { [HANDLER_RETRY_EXTRAS]: options });
}
