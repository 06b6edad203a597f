import type { IdempotencyKey } from './idempotency-keys';
import type { OrderView, UpstreamOrderView } from './order.schemas';

/**
 * An order order-service has, as its customer sees it: without the customer. `placedHere` is the storefront's record
 * of it, whose correlation id stands in for the one an order-service that does not keep them leaves out.
 */
export function storedOrderView(order: UpstreamOrderView, placedHere?: IdempotencyKey): OrderView {
  const correlationId = order.correlationId ?? placedHere?.correlationId;
  return {
    orderId: order.orderId,
    status: order.status,
    ...(order.reason === undefined ? {} : { reason: order.reason }),
    items: order.items,
    totalCents: order.totalCents,
    ...(correlationId === undefined ? {} : { correlationId }),
    placedAt: order.placedAt,
  };
}

/** An order accepted here that order-service has not stored yet: only the storefront's record of it tells anything. */
export function pendingOrderView(placedHere: IdempotencyKey): OrderView {
  return {
    orderId: placedHere.orderId,
    status: 'pending',
    items: [],
    totalCents: 0,
    ...(placedHere.correlationId === undefined ? {} : { correlationId: placedHere.correlationId }),
    placedAt: placedHere.createdAt.toISOString(),
  };
}
