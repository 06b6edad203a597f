import type { OrderCancelled, OrderConfirmed, OrderPlaced, UserSignedUp } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import type { Envelope } from '@stitch/messaging-core';

export type OrderStatus = 'pending' | 'confirmed' | 'cancelled';

/** What a browser is told. `id` is the id of the message it came from, so a browser can de-duplicate too. */
export interface Notification {
  readonly id: string;
  readonly kind: 'welcome' | 'order-status';
  readonly userId: string;
  readonly orderId?: string;
  readonly status?: OrderStatus;
  /** The order's version: a browser showing the order can ignore an older one, as this service does. */
  readonly version?: number;
  readonly text: string;
  /** When it happened (the event's time), not when it was pushed. */
  readonly at: string;
}

export interface OrderNotification extends Notification {
  readonly kind: 'order-status';
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly version: number;
}

const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' });
const euros = (cents: number) => money.format(cents / 100);

export function welcomeNotification(envelope: Envelope<MessageData<typeof UserSignedUp>>): Notification {
  const { userId, name } = envelope.data;
  return { id: envelope.id, kind: 'welcome', userId, text: `Welcome to Stitch, ${name}!`, at: envelope.time };
}

export function orderPlacedNotification(envelope: Envelope<MessageData<typeof OrderPlaced>>): OrderNotification {
  const { orderId, items, totalCents } = envelope.data;
  const pieces = items.reduce((sum, line) => sum + line.quantity, 0);
  return order(envelope, 'pending', `Order ${orderId} received: ${pieces} ${pieces === 1 ? 'item' : 'items'}, ${euros(totalCents)}.`);
}

export function orderConfirmedNotification(envelope: Envelope<MessageData<typeof OrderConfirmed>>): OrderNotification {
  const { orderId, totalCents } = envelope.data;
  return order(envelope, 'confirmed', `Order ${orderId} is confirmed: ${euros(totalCents)} charged.`);
}

export function orderCancelledNotification(envelope: Envelope<MessageData<typeof OrderCancelled>>): OrderNotification {
  const { orderId, reason } = envelope.data;
  return order(envelope, 'cancelled', `Order ${orderId} was cancelled: ${reason}.`);
}

function order(
  envelope: Envelope<{ orderId: string; userId: string; version: number }>,
  status: OrderStatus,
  text: string,
): OrderNotification {
  const { orderId, userId, version } = envelope.data;
  return { id: envelope.id, kind: 'order-status', userId, orderId, status, version, text, at: envelope.time };
}
