import { z } from 'zod';
import { defineEvent } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { id } from '../common';

export const PaymentFailed = defineEvent({
  type: 'payment.payment-failed.v1',
  name: 'PaymentFailed',
  publisher: Services.payment,
  subscribers: [Services.order],
  schema: z.strictObject({ orderId: id, reason: z.string().min(1).max(500) }),
});
