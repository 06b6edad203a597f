import { Controller, Inject } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { OrderCancelled, OrderConfirmed, OrderPlaced, UserSignedUp } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { HandleMessage, MessagingRuntime, StitchContext, type Envelope } from '@stitch/messaging-core';
import {
  orderCancelledNotification,
  orderConfirmedNotification,
  orderPlacedNotification,
  welcomeNotification,
  type Notification,
} from './notification';
import { NotificationStore } from './notification-store';

/**
 * Each event the service subscribes to becomes one stored notification, unless it is stale. The handlers run in the
 * inbox (a repeat has no effect); whichever replica handles an event, every replica pushes the notification.
 */
@Controller()
export class NotificationHandlers {
  constructor(
    @Inject(NotificationStore) private readonly store: NotificationStore,
    @Inject(MessagingRuntime) private readonly runtime: MessagingRuntime,
  ) {}

  @HandleMessage(UserSignedUp)
  async userSignedUp(@Ctx() context: StitchContext): Promise<void> {
    await this.record(welcomeNotification(envelopeOf<MessageData<typeof UserSignedUp>>(context)));
  }

  @HandleMessage(OrderPlaced)
  async orderPlaced(@Ctx() context: StitchContext): Promise<void> {
    await this.record(orderPlacedNotification(envelopeOf<MessageData<typeof OrderPlaced>>(context)));
  }

  @HandleMessage(OrderConfirmed)
  async orderConfirmed(@Ctx() context: StitchContext): Promise<void> {
    await this.record(orderConfirmedNotification(envelopeOf<MessageData<typeof OrderConfirmed>>(context)));
  }

  @HandleMessage(OrderCancelled)
  async orderCancelled(@Ctx() context: StitchContext): Promise<void> {
    await this.record(orderCancelledNotification(envelopeOf<MessageData<typeof OrderCancelled>>(context)));
  }

  private async record(notification: Notification): Promise<void> {
    const verdict = await this.store.store(notification);
    if (verdict !== 'stored') {
      this.runtime.logger.debug({ messageId: notification.id, orderId: notification.orderId, version: notification.version, verdict }, 'not stored');
    }
  }
}

/** The consumer has validated the data against the message's schema before the handler runs. */
function envelopeOf<T>(context: StitchContext): Envelope<T> {
  return context.getEnvelope() as Envelope<T>;
}
