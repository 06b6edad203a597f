import { z } from 'zod';
import { defineCommand } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { id, orderLine, paymentMethod } from '../common';

export const PlaceOrder = defineCommand({
  type: 'order.place-order.v1',
  name: 'PlaceOrder',
  owner: Services.order,
  senders: [Services.storefront],
  schema: z.strictObject({
    orderId: id,
    userId: id,
    items: z.array(orderLine).min(1).max(50),
    paymentMethod,
  }),
});
