import { randomBytes } from 'node:crypto';

/**
 * Order ids are UUIDv7 (RFC 9562): the first 48 bits are the creation time in Unix ms, the rest random. The
 * time lets the storefront tell an order still on its way to the order service from one that never existed
 * (see pending-order.ts), and keeps ids roughly sorted by age in the order service's index.
 */
export function newOrderId(now: number = Date.now(), random: Uint8Array = randomBytes(10)): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(now / 2 ** (8 * (5 - i))) & 0xff;
  bytes.set(random.subarray(0, 10), 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // RFC 9562 variant
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** When a UUIDv7 was made (Unix ms); `undefined` for any other id, which carries no time. */
export function orderIdCreatedAt(orderId: string): number | undefined {
  if (!UUID_V7.test(orderId)) return undefined;
  return parseInt(orderId.slice(0, 8) + orderId.slice(9, 13), 16);
}
