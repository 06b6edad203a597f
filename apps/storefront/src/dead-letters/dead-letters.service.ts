import { Inject, Injectable } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import {
  deadLetterView,
  MessagingRuntime,
  sourcesOf,
  withoutInternals,
  type DeadLetteredMessage,
  type Source,
} from '@stitch/messaging-core';
import type { z } from 'zod';
import type { deadLetterListSchema } from './dead-letter.schemas';

/**
 * The shop's dead letters on the storefront's own transport. One call at a time: SQS can only look at a
 * dead-letter queue by receiving it all for a moment, so two overlapping looks would each see part of it.
 */
@Injectable()
export class DeadLettersService {
  private turn: Promise<unknown> = Promise.resolve();

  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  list(): Promise<z.infer<typeof deadLetterListSchema>> {
    return this.inTurn(async () => {
      const found = [];
      for (const source of sourcesOf(shopCatalogue)) {
        const messages = (await this.runtime.transport.deadLetters.list(source)).map(publicView);
        found.push({ source, count: messages.length, messages });
      }
      return found;
    });
  }

  /** Back to the source they failed at: a command queue, or only the subscription that failed the event. */
  replay(source: Source, ids?: readonly string[]): Promise<number> {
    return this.inTurn(() => this.runtime.transport.deadLetters.replay(source, ids));
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work, work);
    this.turn = result.catch(() => undefined);
    return result;
  }
}

/**
 * A dead letter as the API shows it: its reason and description without stack frames, absolute paths or source
 * positions, whatever wrote them (an older consumer, another transport's broker). The full error is in the log of
 * the service that failed it.
 */
export function publicView(deadLetter: DeadLetteredMessage) {
  const view = deadLetterView(deadLetter);
  return { ...view, reason: withoutInternals(view.reason), description: withoutInternals(view.description) };
}
