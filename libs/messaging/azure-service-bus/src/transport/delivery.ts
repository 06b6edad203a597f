import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import type { Delivery, IncomingMessage } from '@stitch/messaging-core';
import type { ReceiverLike, SenderLike } from './client';
import type { LockRenewer } from './lock-renewal';
import { Props, retryCopy, type RetryTarget } from './mapping';

/** Service Bus keeps reason and description as message properties; longer text is cut, not refused. */
const MAX_REASON_CHARS = 1_024;
const MAX_DESCRIPTION_CHARS = 4_096;

export interface DeliveryLinks {
  readonly receiver: ReceiverLike;
  /** Where a retry copy is scheduled: the queue itself, or the topic (addressed to one subscription). */
  readonly retrySender: () => SenderLike;
  readonly target: RetryTarget;
  readonly renewer: LockRenewer;
}

/**
 * One peek-locked message in a handler's hands. Exactly one settle: complete; retry (a scheduled copy carrying the
 * attempt count, then complete, because a scheduled message's own `deliveryCount` starts again); or dead-letter with
 * reason, description and the attempt it gave up on.
 */
export class ServiceBusDelivery implements Delivery {
  private settling: Promise<void> | undefined;

  constructor(
    readonly message: IncomingMessage,
    readonly attempt: number,
    private readonly raw: ServiceBusReceivedMessage,
    private readonly links: DeliveryLinks,
  ) {}

  get settled(): boolean {
    return this.settling !== undefined;
  }

  complete(): Promise<void> {
    return this.once(() => this.links.receiver.completeMessage(this.raw));
  }

  /**
   * Schedule first, complete second: if the complete fails (the lock was lost) the message comes back as well as the
   * copy, and the inbox absorbs the repeat; the other order could lose the message.
   */
  retryLater(delayMs: number): Promise<void> {
    return this.once(async () => {
      const copy = retryCopy(this.raw, this.attempt, this.links.target);
      await this.links.retrySender().scheduleMessages(copy, new Date(Date.now() + Math.max(0, delayMs)));
      await this.links.receiver.completeMessage(this.raw);
    });
  }

  deadLetter(reason: string, description: string): Promise<void> {
    return this.once(() =>
      this.links.receiver.deadLetterMessage(this.raw, {
        deadLetterReason: reason.slice(0, MAX_REASON_CHARS),
        deadLetterErrorDescription: description.slice(0, MAX_DESCRIPTION_CHARS),
        [Props.attempts]: this.attempt,
        [Props.deadLetteredAt]: Date.now(),
      }),
    );
  }

  /** A handler that threw without settling: release the message at once (the broker counts the delivery). */
  release(): Promise<void> {
    return this.once(() => this.links.receiver.abandonMessage(this.raw));
  }

  private once(action: () => Promise<void>): Promise<void> {
    if (this.settling) return Promise.reject(new Error(`Service Bus transport: message ${this.message.messageId} was already settled`));
    this.links.renewer.stop();
    this.settling = action();
    return this.settling;
  }
}
