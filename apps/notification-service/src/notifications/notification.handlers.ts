import { Controller, Inject } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { OrderCancelled, OrderConfirmed, OrderPlaced, UserSignedUp, type MessageData } from '@stitch/contracts';
import { HandleMessage, MessagingRuntime, StitchContext, type Envelope } from '@stitch/messaging-core';
import {
  orderCancelledNotification,
  orderConfirmedNotification,
  orderPlacedNotification,
  welcomeNotification,
  type Notification,
} from './notification';
import { NotificationFeed } from './notification-feed';

/** Each event the service subscribes to becomes one notification, unless it is a repeat or stale. */
@Controller()
export class NotificationHandlers {
  constructor(
    @Inject(NotificationFeed) private readonly feed: NotificationFeed,
    @Inject(MessagingRuntime) private readonly runtime: MessagingRuntime,
  ) {}

  @HandleMessage(UserSignedUp)
  userSignedUp(@Ctx() context: StitchContext): void {
    this.push(welcomeNotification(envelopeOf<MessageData<typeof UserSignedUp>>(context)));
  }

  @HandleMessage(OrderPlaced)
  orderPlaced(@Ctx() context: StitchContext): void {
    this.push(orderPlacedNotification(envelopeOf<MessageData<typeof OrderPlaced>>(context)));
  }

  @HandleMessage(OrderConfirmed)
  orderConfirmed(@Ctx() context: StitchContext): void {
    this.push(orderConfirmedNotification(envelopeOf<MessageData<typeof OrderConfirmed>>(context)));
  }

  @HandleMessage(OrderCancelled)
  orderCancelled(@Ctx() context: StitchContext): void {
    this.push(orderCancelledNotification(envelopeOf<MessageData<typeof OrderCancelled>>(context)));
  }

  private push(notification: Notification): void {
    const verdict = this.feed.accept(notification);
    if (verdict !== 'pushed') {
      this.runtime.logger.debug({ messageId: notification.id, orderId: notification.orderId, version: notification.version, verdict }, 'not pushed');
    }
  }
}

/** The consumer has validated the data against the message's schema before the handler runs. */
function envelopeOf<T>(context: StitchContext): Envelope<T> {
  return context.getEnvelope() as Envelope<T>;
}
