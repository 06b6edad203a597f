import { v7 as uuidv7 } from 'uuid';

/**
 * Order ids are UUIDv7 (RFC 9562): the first 48 bits are the creation time in Unix ms, the rest random. The
 * time lets the storefront tell an order still on its way to the order service from one that never existed
 * (see pending-order.ts), and keeps ids roughly sorted by age in the order service's index.
 */
export function newOrderId(now: number = Date.now()): string {
  return uuidv7({ msecs: now });
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** When a UUIDv7 was made (Unix ms); `undefined` for any other id, which carries no time. */
export function orderIdCreatedAt(orderId: string): number | undefined {
  if (!UUID_V7.test(orderId)) return undefined;
  return parseInt(orderId.slice(0, 8) + orderId.slice(9, 13), 16);
}
