import { z } from 'zod';
import { defineEvent } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { id, quantity, sku } from '../common';

export const StockReserved = defineEvent({
  type: 'inventory.stock-reserved.v1',
  name: 'StockReserved',
  publisher: Services.inventory,
  subscribers: [Services.order],
  schema: z.strictObject({ orderId: id, items: z.array(z.strictObject({ sku, quantity })).min(1) }),
});
