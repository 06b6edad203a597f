import { z } from 'zod';
import { defineCommand } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { cents, id } from '../common';

/**
 * Compensation: gives back what a ChargePayment for this order took, when the order was cancelled before the
 * payment's success arrived. The order id is the refund's idempotency key: a redelivered command refunds once.
 */
export const RefundPayment = defineCommand({
  type: 'payment.refund-payment.v1',
  name: 'RefundPayment',
  owner: Services.payment,
  senders: [Services.order],
  schema: z.strictObject({
    orderId: id,
    chargeId: z.string().min(1).max(100),
    amountCents: cents.min(1),
    reason: z.string().min(1).max(500),
  }),
});
