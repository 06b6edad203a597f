import { EventPattern } from '@nestjs/microservices';
import type { MessageDefinition } from '@stitch/contracts';

/**
 * Declares the handler of one catalogue message: `@HandleMessage(ReserveStock)`. The pattern is the versioned
 * type, so a handler can never be bound to a name the catalogue does not know (the server checks at start).
 */
export function HandleMessage(definition: MessageDefinition): MethodDecorator {
  return EventPattern(definition.type);
}
