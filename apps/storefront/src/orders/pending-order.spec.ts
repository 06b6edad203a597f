import { newOrderId, orderIdCreatedAt } from './order-id';
import { readsPendingWhileUnknown } from './pending-order';

const window = 15 * 60_000;
const now = Date.parse('2026-11-22T10:00:00Z');

describe('order ids', () => {
  it('are UUIDv7 carrying their creation time', () => {
    const id = newOrderId(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(orderIdCreatedAt(id)).toBe(now);
  });

  it('sort by creation time', () => {
    const ids = [newOrderId(now + 2), newOrderId(now), newOrderId(now + 1)];
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });

  it('are unique within one millisecond', () => {
    expect(new Set(Array.from({ length: 1_000 }, () => newOrderId(now))).size).toBe(1_000);
  });

  it('tell no time when they are not UUIDv7', () => {
    expect(orderIdCreatedAt('3b241101-e2bb-4255-8caf-4136c566a962')).toBeUndefined();
  });
});

describe('an order the order service does not know yet', () => {
  it('reads pending while it is young enough to be still on its way', () => {
    expect(readsPendingWhileUnknown(newOrderId(now), now, window)).toBe(true);
    expect(readsPendingWhileUnknown(newOrderId(now - window), now, window)).toBe(true);
  });

  it('is not found once older than the window', () => {
    expect(readsPendingWhileUnknown(newOrderId(now - window - 1), now, window)).toBe(false);
  });

  it('allows a replica’s clock to be a little ahead, but not an id from the far future', () => {
    expect(readsPendingWhileUnknown(newOrderId(now + 30_000), now, window)).toBe(true);
    expect(readsPendingWhileUnknown(newOrderId(now + 24 * 3_600_000), now, window)).toBe(false);
  });

  it('is not found when its id carries no time', () => {
    expect(readsPendingWhileUnknown('3b241101-e2bb-4255-8caf-4136c566a962', now, window)).toBe(false);
  });
});
