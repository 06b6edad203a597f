import { Database } from './database';
import type { PrismaClientLike } from './prisma-client';

/** Records which client ran each statement; a transaction commits when its work resolves. */
class FakeClient implements PrismaClientLike {
  readonly log: string[] = [];
  transactions = 0;

  constructor(readonly name = 'root') {}

  async $transaction<R>(work: (transaction: unknown) => Promise<R>): Promise<R> {
    this.transactions += 1;
    const transaction = new FakeClient(`tx${this.transactions}`);
    try {
      const result = await work(transaction);
      this.log.push(...transaction.log, `commit ${transaction.name}`);
      return result;
    } catch (error) {
      this.log.push(`rollback ${transaction.name}`);
      throw error;
    }
  }

  async $executeRawUnsafe(query: string): Promise<number> {
    this.log.push(`${this.name}: ${query}`);
    return 1;
  }

  async $queryRawUnsafe<T>(): Promise<T> {
    return [] as T;
  }

  async $disconnect(): Promise<void> {}
}

describe('Database', () => {
  it('uses the root client outside a transaction and the transaction client inside one', async () => {
    const root = new FakeClient();
    const db = new Database(root);
    await db.client.$executeRawUnsafe('a');
    await db.transaction(async () => {
      expect(db.inTransaction).toBe(true);
      await db.client.$executeRawUnsafe('b');
      // Concurrent work started inside keeps the transaction.
      await Promise.all([db.client.$executeRawUnsafe('c'), Promise.resolve().then(() => db.client.$executeRawUnsafe('d'))]);
    });
    expect(db.inTransaction).toBe(false);
    expect(root.log).toEqual(['root: a', 'tx1: b', 'tx1: c', 'tx1: d', 'commit tx1']);
  });

  it('joins the transaction it is called in', async () => {
    const root = new FakeClient();
    const db = new Database(root);
    await db.transaction(async () => {
      await db.client.$executeRawUnsafe('outer');
      await db.transaction(() => db.client.$executeRawUnsafe('inner'));
    });
    expect(root.transactions).toBe(1);
    expect(root.log).toEqual(['tx1: outer', 'tx1: inner', 'commit tx1']);
  });

  it('runs after-commit callbacks after the commit only, and at once outside a transaction', async () => {
    const root = new FakeClient();
    const db = new Database(root);
    const calls: string[] = [];

    await db.transaction(async () => {
      db.afterCommit(() => calls.push(`after ${root.log.at(-1) ?? 'nothing'}`));
      expect(calls).toEqual([]);
    });
    await expect(
      db.transaction(async () => {
        db.afterCommit(() => calls.push('never'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    db.afterCommit(() => calls.push('now'));

    expect(calls).toEqual(['after commit tx1', 'now']);
  });

  it('runs before-commit callbacks in the transaction after its work, and rolls back when one throws', async () => {
    const root = new FakeClient();
    const db = new Database(root);

    await db.transaction(async () => {
      expect(db.beforeCommit(() => db.client.$executeRawUnsafe('last').then(() => undefined))).toBe(true);
      await db.client.$executeRawUnsafe('work');
    });
    await expect(
      db.transaction(async () => {
        db.beforeCommit(() => Promise.reject(new Error('refused')));
        await db.client.$executeRawUnsafe('undone');
      }),
    ).rejects.toThrow('refused');

    expect(root.log).toEqual(['tx1: work', 'tx1: last', 'commit tx1', 'rollback tx2']);
    expect(db.beforeCommit(() => Promise.resolve())).toBe(false);
  });

  it('keeps a value per transaction, made on first use, and none outside one', async () => {
    const db = new Database(new FakeClient());
    const key = {};
    const seen: Array<string[] | undefined> = [];
    for (const label of ['first', 'second']) {
      await db.transaction(async () => {
        db.perTransaction(key, () => [] as string[])?.push(`${label} a`);
        db.perTransaction(key, () => [] as string[])?.push(`${label} b`);
        seen.push(db.perTransaction(key, () => []));
      });
    }

    expect(seen).toEqual([
      ['first a', 'first b'],
      ['second a', 'second b'],
    ]);
    expect(db.perTransaction(key, () => [])).toBeUndefined();
  });

  it('keeps transactions of concurrent work apart', async () => {
    const root = new FakeClient();
    const db = new Database(root);
    const seen: string[] = [];
    const work = (label: string) =>
      db.transaction(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(`${label} ${(db.client as FakeClient).name}`);
      });
    await Promise.all([work('first'), work('second')]);
    expect(seen.sort()).toEqual(['first tx1', 'second tx2']);
  });
});
