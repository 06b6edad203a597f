import { OrderCancelled, OrderConfirmed, OrderPlaced, UserSignedUp } from '@stitch/contracts';
import type { MessageData, MessageDefinition } from '@stitch/messaging-catalogue';
import type { Envelope } from '@stitch/messaging-core';
import { orderCancelledNotification, orderConfirmedNotification, orderPlacedNotification, welcomeNotification } from './notification';

const userId = '0f5a3b0e-4d2c-4b8e-9a51-3c7a9d1e2f40';
const orderId = 'a9b8c7d6-1e2f-4a3b-8c4d-5e6f7a8b9c0d';

function envelope<D extends MessageDefinition>(definition: D, data: MessageData<D>): Envelope<MessageData<D>> {
  return {
    id: 'msg-1',
    type: definition.type,
    kind: definition.kind,
    source: 'order-service',
    time: '2026-11-22T10:00:00.000Z',
    correlationId: 'c-1',
    causationId: 'c-1',
    data: definition.schema.parse(data) as MessageData<D>,
  };
}

describe('notifications from events', () => {
  it('welcomes a user who signed up', () => {
    expect(welcomeNotification(envelope(UserSignedUp, { userId, email: 'ada@example.com', name: 'Ada' }))).toEqual({
      id: 'msg-1',
      kind: 'welcome',
      userId,
      text: 'Welcome to Stitch, Ada!',
      at: '2026-11-22T10:00:00.000Z',
    });
  });

  it('reports a placed order as pending, with its version, size and total', () => {
    const items = [
      { sku: 'TEE-BLK-M', quantity: 2, unitPriceCents: 1_500 },
      { sku: 'CAP-RED', quantity: 1, unitPriceCents: 999 },
    ];
    expect(orderPlacedNotification(envelope(OrderPlaced, { orderId, userId, items, totalCents: 3_999, version: 1 }))).toEqual({
      id: 'msg-1',
      kind: 'order-status',
      userId,
      orderId,
      status: 'pending',
      version: 1,
      text: `Order ${orderId} received: 3 items, €39.99.`,
      at: '2026-11-22T10:00:00.000Z',
    });
  });

  it('reports a confirmed order with the amount charged', () => {
    expect(orderConfirmedNotification(envelope(OrderConfirmed, { orderId, userId, totalCents: 3_999, version: 3 }))).toMatchObject({
      kind: 'order-status',
      status: 'confirmed',
      version: 3,
      text: `Order ${orderId} is confirmed: €39.99 charged.`,
    });
  });

  it('reports a cancelled order with its reason', () => {
    expect(orderCancelledNotification(envelope(OrderCancelled, { orderId, userId, reason: 'payment declined', version: 4 }))).toMatchObject(
      {
        kind: 'order-status',
        status: 'cancelled',
        version: 4,
        orderId,
        userId,
        text: `Order ${orderId} was cancelled: payment declined.`,
      },
    );
  });
});
