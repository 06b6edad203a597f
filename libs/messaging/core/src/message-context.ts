import { AsyncLocalStorage } from 'node:async_hooks';
import type { Envelope } from './envelope';

/**
 * What is being handled right now. The bus reads it so that messages sent from a handler (or an HTTP request)
 * carry its correlation and causation without any handler passing them on.
 */
export interface MessageContext {
  /** The message being handled, when there is one. */
  readonly envelope?: Envelope;
  /** The flow this work belongs to; for an HTTP request, its request id. */
  readonly correlationId: string;
  readonly causationId?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

const storage = new AsyncLocalStorage<MessageContext>();

export function runInMessageContext<T>(context: MessageContext, work: () => T): T {
  return storage.run(context, work);
}

export function contextForEnvelope(envelope: Envelope): MessageContext {
  return {
    envelope,
    correlationId: envelope.correlationId,
    causationId: envelope.id,
    ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
    ...(envelope.tracestate ? { tracestate: envelope.tracestate } : {}),
  };
}

export function currentMessageContext(): MessageContext | undefined {
  return storage.getStore();
}
