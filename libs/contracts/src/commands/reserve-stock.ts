import { z } from 'zod';
import { defineCommand } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { id, quantity, sku } from '../common';

export const ReserveStock = defineCommand({
  type: 'inventory.reserve-stock.v1',
  name: 'ReserveStock',
  owner: Services.inventory,
  senders: [Services.order],
  schema: z.strictObject({
    orderId: id,
    items: z.array(z.strictObject({ sku, quantity })).min(1).max(50),
  }),
});
