import type { Catalogue } from '@stitch/messaging-catalogue';
import { endpointsOf } from './consumer';
import type { DeadLetteredMessage, Source } from './transport';

/**
 * Every queue and subscription of the catalogue, each service's command queue before its subscription: the
 * places a message can be dead-lettered, so the places an operator looks.
 */
export function sourcesOf(catalogue: Catalogue): Source[] {
  return catalogue.services.flatMap((service) => endpointsOf(catalogue, service).map((endpoint) => endpoint.source));
}

export function sameSource(a: Source, b: Source): boolean {
  return a.kind === b.kind && a.name === b.name && (a.kind === 'queue' || (b.kind === 'subscription' && a.topic === b.topic));
}

/** What an operator reads about one dead letter, the same in every tool: the envelope is asked for apart. */
export interface DeadLetterView {
  /** The transport's handle, to replay or purge it by. */
  readonly id: string;
  readonly messageId: string;
  readonly type: string;
  readonly correlationId: string;
  readonly reason: string;
  readonly description: string;
  readonly attempts: number;
  /** ISO 8601. */
  readonly deadLetteredAt: string;
}

export function deadLetterView(deadLetter: DeadLetteredMessage): DeadLetterView {
  const { message } = deadLetter;
  return {
    id: deadLetter.id,
    messageId: message.messageId,
    type: message.type,
    correlationId: message.correlationId,
    reason: deadLetter.reason,
    description: deadLetter.description,
    attempts: deadLetter.attempts,
    deadLetteredAt: new Date(deadLetter.deadLetteredAt).toISOString(),
  };
}
