import { z } from 'zod';
import { defineEvent } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { id, orderVersion } from '../common';

export const OrderCancelled = defineEvent({
  type: 'order.order-cancelled.v1',
  name: 'OrderCancelled',
  publisher: Services.order,
  subscribers: [Services.notification],
  schema: z.strictObject({ orderId: id, userId: id, reason: z.string().min(1).max(500), version: orderVersion }),
});
