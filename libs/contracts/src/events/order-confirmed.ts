import { z } from 'zod';
import { defineEvent } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { cents, id, orderVersion } from '../common';

export const OrderConfirmed = defineEvent({
  type: 'order.order-confirmed.v1',
  name: 'OrderConfirmed',
  publisher: Services.order,
  subscribers: [Services.notification],
  schema: z.strictObject({ orderId: id, userId: id, totalCents: cents, version: orderVersion }),
});
