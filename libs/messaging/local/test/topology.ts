import type { Topology } from '@stitch/messaging-catalogue';

/** A small hand-made topology, so these tests don't move when the shop's catalogue does. */
export const topology: Topology = {
  queues: [
    { name: 'order-service', service: 'order-service', types: ['order.PlaceOrder.v1'], maxAttempts: 2, maxDeliveryCount: 3 },
    { name: 'payment-service', service: 'payment-service', types: ['payment.CapturePayment.v1'], maxAttempts: 5, maxDeliveryCount: 6 },
  ],
  topic: {
    name: 'events',
    subscriptions: [
      {
        name: 'inventory-service',
        service: 'inventory-service',
        topic: 'events',
        types: ['order.OrderPlaced.v1'],
        maxAttempts: 5,
        maxDeliveryCount: 6,
      },
      {
        name: 'email-service',
        service: 'email-service',
        topic: 'events',
        types: ['order.OrderPlaced.v1', 'payment.PaymentCaptured.v1'],
        maxAttempts: 5,
        maxDeliveryCount: 6,
      },
      {
        name: 'notification-service',
        service: 'notification-service',
        topic: 'events',
        types: ['payment.PaymentCaptured.v1'],
        maxAttempts: 5,
        maxDeliveryCount: 6,
      },
    ],
  },
  flow: { name: 'flow' },
};
