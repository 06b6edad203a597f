import type { Notification } from './notification';
import { NotificationFeed } from './notification-feed';

const at = '2026-11-22T10:00:00.000Z';

function orderStatus(id: string, orderId: string, version: number, status: 'pending' | 'confirmed' | 'cancelled', userId = 'u-1'): Notification {
  return { id, kind: 'order-status', userId, orderId, status, version, text: status, at };
}

function watch(feed: NotificationFeed, userId?: string) {
  const seen: Notification[] = [];
  let completed = false;
  feed.notifications(userId).subscribe({ next: (n) => seen.push(n), complete: () => (completed = true) });
  return { seen, completed: () => completed };
}

describe('NotificationFeed', () => {
  it('pushes a notification to every watcher, or to those watching its user', () => {
    const feed = new NotificationFeed();
    const all = watch(feed);
    const ada = watch(feed, 'u-ada');
    const welcome: Notification = { id: 'm-1', kind: 'welcome', userId: 'u-ada', text: 'hi', at };

    expect(feed.accept(welcome)).toBe('pushed');
    expect(feed.accept(orderStatus('m-2', 'o-1', 1, 'pending', 'u-bob'))).toBe('pushed');

    expect(all.seen.map((n) => n.id)).toEqual(['m-1', 'm-2']);
    expect(ada.seen.map((n) => n.id)).toEqual(['m-1']);
  });

  it('pushes a redelivered message once', () => {
    const feed = new NotificationFeed();
    const all = watch(feed);
    const welcome: Notification = { id: 'm-1', kind: 'welcome', userId: 'u-1', text: 'hi', at };

    expect(feed.accept(welcome)).toBe('pushed');
    expect(feed.accept({ ...welcome })).toBe('duplicate');
    expect(all.seen).toHaveLength(1);
  });

  it('drops an order event whose version is not above the last one seen for that order', () => {
    const feed = new NotificationFeed();
    const all = watch(feed);

    expect(feed.accept(orderStatus('m-3', 'o-1', 3, 'confirmed'))).toBe('pushed');
    expect(feed.accept(orderStatus('m-1', 'o-1', 1, 'pending'))).toBe('stale');
    expect(feed.accept(orderStatus('m-9', 'o-1', 3, 'cancelled'))).toBe('stale');
    expect(feed.accept(orderStatus('m-4', 'o-1', 4, 'cancelled'))).toBe('pushed');
    expect(feed.accept(orderStatus('m-5', 'o-2', 1, 'pending'))).toBe('pushed');

    expect(all.seen.map((n) => `${n.orderId}@${n.version}`)).toEqual(['o-1@3', 'o-1@4', 'o-2@1']);
  });

  it('remembers a bounded number of ids and orders', () => {
    const feed = new NotificationFeed({ recentIds: 2, orders: 1 });
    const all = watch(feed);
    for (const id of ['m-1', 'm-2', 'm-3']) feed.accept({ id, kind: 'welcome', userId: 'u-1', text: id, at });
    // m-1 was forgotten, so its late repeat goes through: acceptable for ephemeral pushes, and bounded memory.
    expect(feed.accept({ id: 'm-1', kind: 'welcome', userId: 'u-1', text: 'm-1', at })).toBe('pushed');
    expect(feed.accept({ id: 'm-3', kind: 'welcome', userId: 'u-1', text: 'm-3', at })).toBe('duplicate');
    expect(all.seen).toHaveLength(4);
  });

  it('ends every stream at shutdown', async () => {
    const feed = new NotificationFeed();
    const all = watch(feed);
    const one = watch(feed, 'u-1');
    await feed.beforeApplicationShutdown();
    expect(all.completed()).toBe(true);
    expect(one.completed()).toBe(true);
  });
});
