import { z } from 'zod';
import { defineCommand } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { cents, id, paymentMethod } from '../common';

/** The order id is the provider's idempotency key: a redelivered command never charges twice. */
export const ChargePayment = defineCommand({
  type: 'payment.charge-payment.v1',
  name: 'ChargePayment',
  owner: Services.payment,
  senders: [Services.order],
  schema: z.strictObject({
    orderId: id,
    amountCents: cents.min(1),
    currency: z.enum(['EUR', 'USD', 'GBP']),
    paymentMethod,
  }),
});
