import { Controller, Inject } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, OrderPlaced, UserSignedUp } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { HandleMessage, MessageEnvelope, MessagingRuntime, type Envelope } from '@stitch/messaging-core';
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
  async userSignedUp(@MessageEnvelope() envelope: Envelope<MessageData<typeof UserSignedUp>>): Promise<void> {
    await this.record(welcomeNotification(envelope));
  }

  @HandleMessage(OrderPlaced)
  async orderPlaced(@MessageEnvelope() envelope: Envelope<MessageData<typeof OrderPlaced>>): Promise<void> {
    await this.record(orderPlacedNotification(envelope));
  }

  @HandleMessage(OrderConfirmed)
  async orderConfirmed(@MessageEnvelope() envelope: Envelope<MessageData<typeof OrderConfirmed>>): Promise<void> {
    await this.record(orderConfirmedNotification(envelope));
  }

  @HandleMessage(OrderCancelled)
  async orderCancelled(@MessageEnvelope() envelope: Envelope<MessageData<typeof OrderCancelled>>): Promise<void> {
    await this.record(orderCancelledNotification(envelope));
  }

  private async record(notification: Notification): Promise<void> {
    const verdict = await this.store.store(notification);
    if (verdict !== 'stored') {
      this.runtime.logger.debug(
        { messageId: notification.id, orderId: notification.orderId, version: notification.version, verdict },
        'not stored',
      );
    }
  }
}
