import { z } from 'zod';
import { defineEvent } from '@stitch/messaging-catalogue';
import { Services } from '@stitch/manifest';
import { id, sku } from '../common';

export const StockReservationFailed = defineEvent({
  type: 'inventory.stock-reservation-failed.v1',
  name: 'StockReservationFailed',
  publisher: Services.inventory,
  subscribers: [Services.order],
  schema: z.strictObject({
    orderId: id,
    reason: z.string().min(1).max(500),
    shortages: z.array(z.strictObject({ sku, requested: z.number().int(), available: z.number().int().nonnegative() })),
  }),
});
