import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Envelope } from '../envelope';
import { StitchContext } from './stitch.context';

/**
 * The whole envelope of the message a handler is handling, for its id, correlation or source:
 * `@MessageEnvelope() envelope: Envelope<MessageData<typeof OrderPlaced>>`. Its data is the payload `@Payload()`
 * gives, already validated against the message's schema by the consumer, so the type names what it holds.
 * Outside a `@HandleMessage` handler there is no envelope, and asking for one is a mistake that fails loudly.
 */
export const MessageEnvelope = createParamDecorator((_data: unknown, context: ExecutionContext): Envelope => {
  const rpc: unknown = context.getType() === 'rpc' ? context.switchToRpc().getContext() : undefined;
  if (!(rpc instanceof StitchContext)) {
    throw new Error(`@MessageEnvelope() is only for message handlers (@HandleMessage), not in a ${context.getType()} context`);
  }
  return rpc.getEnvelope();
});
