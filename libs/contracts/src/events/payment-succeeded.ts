import { z } from 'zod';
import { defineEvent } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { cents, id } from '../common';

export const PaymentSucceeded = defineEvent({
  type: 'payment.payment-succeeded.v1',
  name: 'PaymentSucceeded',
  publisher: Services.payment,
  subscribers: [Services.order],
  schema: z.strictObject({ orderId: id, chargeId: z.string().min(1).max(100), amountCents: cents }),
});
