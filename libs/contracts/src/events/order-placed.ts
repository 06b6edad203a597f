import { z } from 'zod';
import { defineEvent } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { cents, id, orderLine, orderVersion } from '../common';

export const OrderPlaced = defineEvent({
  type: 'order.order-placed.v1',
  name: 'OrderPlaced',
  publisher: Services.order,
  subscribers: [Services.notification],
  schema: z.strictObject({
    orderId: id,
    userId: id,
    items: z.array(orderLine).min(1),
    totalCents: cents,
    version: orderVersion,
  }),
});
