import { z } from 'zod';
import { defineCommand } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { id } from '../common';

/** Compensation: gives back what a `ReserveStock` for this order held. */
export const ReleaseStock = defineCommand({
  type: 'inventory.release-stock.v1',
  name: 'ReleaseStock',
  owner: Services.inventory,
  senders: [Services.order],
  schema: z.strictObject({ orderId: id, reason: z.string().min(1).max(500) }),
});
