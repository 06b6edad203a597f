import { Subject, type Observable } from 'rxjs';
import type { Notification } from './notification';
import { NotificationFeed, replayThenLive, type StoredNotification } from './notification-feed';

const at = '2026-11-22T10:00:00.000Z';

function row(seq: number, userId = 'u-1'): StoredNotification {
  return { seq: BigInt(seq), notification: { id: `m-${seq}`, kind: 'welcome', userId, text: `n${seq}`, at } satisfies Notification };
}

function watch(source: Observable<StoredNotification>) {
  const seen: number[] = [];
  let completed = false;
  let failed: unknown;
  source.subscribe({ next: (r) => seen.push(Number(r.seq)), complete: () => (completed = true), error: (e: unknown) => (failed = e) });
  return { seen, completed: () => completed, failed: () => failed };
}

/** A read of a stored table that the test releases by hand, to put live rows in the middle of a replay. */
function table(rows: StoredNotification[]) {
  const reads: Array<{ after: bigint; limit: number; release: () => void }> = [];
  const read = (after: bigint, limit: number) =>
    new Promise<StoredNotification[]>((resolve) => {
      reads.push({ after, limit, release: () => resolve(rows.filter((r) => r.seq > after).slice(0, limit)) });
    });
  return { rows, reads, read };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('NotificationFeed', () => {
  it('pushes each row to every watcher, or to those watching its user, in seq order', () => {
    const feed = new NotificationFeed();
    const all = watch(feed.live());
    const ada = watch(feed.live('u-ada'));

    expect(feed.push([row(1, 'u-ada'), row(2, 'u-bob')])).toBe(2);

    expect(all.seen).toEqual([1, 2]);
    expect(ada.seen).toEqual([1]);
    expect(feed.lastSeq).toBe(2n);
  });

  it('pushes a row read twice once, and nothing at or below the seq it started from', () => {
    const feed = new NotificationFeed(5n);
    const all = watch(feed.live());

    expect(feed.push([row(4), row(5), row(6)])).toBe(1);
    expect(feed.push([row(6), row(7)])).toBe(1);

    expect(all.seen).toEqual([6, 7]);
    expect(feed.lastSeq).toBe(7n);
  });

  it('ends every stream at shutdown', async () => {
    const feed = new NotificationFeed();
    const all = watch(feed.live());
    const one = watch(feed.live('u-1'));
    await feed.beforeApplicationShutdown();
    expect(all.completed()).toBe(true);
    expect(one.completed()).toBe(true);
  });
});

describe('replayThenLive', () => {
  it('sends the stored rows after the last event id, then the live ones, with no gap and no repeat', async () => {
    const stored = table([row(1), row(2), row(3), row(4)]);
    const live = new Subject<StoredNotification>();
    const stream = watch(replayThenLive(2n, stored.read, live, 10));

    // While the replay reads, rows 4 and 5 come live: 4 is also in the replay, 5 is not.
    live.next(row(4));
    live.next(row(5));
    expect(stream.seen).toEqual([]);
    stored.reads[0]?.release();
    await settled();
    expect(stream.seen).toEqual([3, 4, 5]);

    live.next(row(5));
    live.next(row(6));
    expect(stream.seen).toEqual([3, 4, 5, 6]);
    expect(stored.reads.map((r) => r.after)).toEqual([2n]);
  });

  it('reads page after page until a short one', async () => {
    const stored = table([1, 2, 3, 4, 5].map((seq) => row(seq)));
    const stream = watch(replayThenLive(0n, stored.read, new Subject<StoredNotification>(), 2));
    for (let page = 0; page < 3; page++) {
      await settled();
      stored.reads[page]?.release();
    }
    await settled();
    expect(stream.seen).toEqual([1, 2, 3, 4, 5]);
    expect(stored.reads.map((r) => [r.after, r.limit])).toEqual([
      [0n, 2],
      [2n, 2],
      [4n, 2],
    ]);
  });

  it('fails the stream when the replay cannot be read, and ends it when the live feed ends', async () => {
    const failing = watch(replayThenLive(0n, () => Promise.reject(new Error('database gone')), new Subject<StoredNotification>()));
    await settled();
    expect(failing.failed()).toEqual(new Error('database gone'));

    const live = new Subject<StoredNotification>();
    const ending = watch(replayThenLive(0n, async () => [], live));
    live.complete();
    expect(ending.completed()).toBe(true);
  });
});
