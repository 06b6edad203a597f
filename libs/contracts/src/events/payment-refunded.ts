import { z } from 'zod';
import { defineEvent } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { cents, id } from '../common';

/**
 * Nobody subscribes yet: the order was already cancelled when the refund was asked for, so the saga has
 * nothing left to decide; the fact is published for whoever keeps accounts later.
 */
export const PaymentRefunded = defineEvent({
  type: 'payment.payment-refunded.v1',
  name: 'PaymentRefunded',
  publisher: Services.payment,
  subscribers: [],
  schema: z.strictObject({ orderId: id, chargeId: z.string().min(1).max(100), refundId: z.string().min(1).max(100), amountCents: cents }),
});
