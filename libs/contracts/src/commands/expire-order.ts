import { z } from 'zod';
import { defineCommand } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { id } from '../common';

/**
 * The order service's reminder to itself, sent with a delay when it places an order: an order still pending
 * when it arrives is cancelled (with compensation). It carries the time it waited, so the saga can say so.
 */
export const ExpireOrder = defineCommand({
  type: 'order.expire-order.v1',
  name: 'ExpireOrder',
  owner: Services.order,
  senders: [Services.order],
  schema: z.strictObject({ orderId: id, timeoutMs: z.number().int().min(1) }),
});
