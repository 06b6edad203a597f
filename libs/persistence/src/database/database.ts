import { AsyncLocalStorage } from 'node:async_hooks';
import type { PrismaClientLike, PrismaTransactionOptions, TransactionClient } from './prisma-client';

export interface DatabaseOptions {
  /**
   * Prisma's limits for an interactive transaction, in ms. Its defaults (2 s to get a connection, 5 s in all)
   * are short for a handler that also calls out; a transaction that runs out is rolled back and its message
   * retried. Defaults here: 10 s and 30 s, the default message lock.
   */
  readonly maxWaitMs?: number;
  readonly timeoutMs?: number;
}

interface TransactionScope<TClient> {
  readonly client: TransactionClient<TClient>;
  readonly beforeCommit: Array<() => Promise<void>>;
  readonly afterCommit: Array<() => void>;
  readonly locals: Map<object, unknown>;
}

/**
 * The unit of work. The transaction a piece of work runs in is held in async-local storage, so a handler or
 * a controller uses `db.client` and every write in the same `transaction()` (the inbox record, the state
 * change, the outbox rows) commits or rolls back together, without a transaction being passed by hand.
 */
export class Database<TClient extends PrismaClientLike> {
  private readonly storage = new AsyncLocalStorage<TransactionScope<TClient>>();
  private readonly transactionOptions: PrismaTransactionOptions;

  constructor(
    /** The client outside any transaction; `client` is the one to use. */
    readonly root: TClient,
    options: DatabaseOptions = {},
  ) {
    this.transactionOptions = { maxWait: options.maxWaitMs ?? 10_000, timeout: options.timeoutMs ?? 30_000 };
  }

  /** The current transaction's client inside `transaction()`, otherwise the root client (each query on its own). */
  get client(): TransactionClient<TClient> {
    return this.storage.getStore()?.client ?? this.root;
  }

  get inTransaction(): boolean {
    return this.storage.getStore() !== undefined;
  }

  /**
   * Runs `work` in one interactive transaction, committed when it resolves and rolled back when it throws.
   * Inside another `transaction()` it joins that one (no savepoint): its writes commit or roll back with the
   * outer work, so catching its error does not undo them.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return work();
    const beforeCommit: Array<() => Promise<void>> = [];
    const afterCommit: Array<() => void> = [];
    const result = await this.root.$transaction(
      // Prisma hands over the generated client's own transaction client.
      (client) =>
        this.storage.run({ client: client as TransactionClient<TClient>, beforeCommit, afterCommit, locals: new Map() }, async () => {
          const value = await work();
          // By index: a callback may add another (its write may itself want to run last).
          for (let index = 0; index < beforeCommit.length; index++) await beforeCommit[index]?.();
          return value;
        }),
      this.transactionOptions,
    );
    for (const callback of afterCommit) callback();
    return result;
  }

  /**
   * A value of the current transaction's own, made by `create` the first time `key` asks for it in this transaction
   * (and gone with it); undefined outside a transaction.
   */
  perTransaction<T>(key: object, create: () => T): T | undefined {
    const scope = this.storage.getStore();
    if (!scope) return undefined;
    if (!scope.locals.has(key)) scope.locals.set(key, create());
    return scope.locals.get(key) as T;
  }

  /**
   * Runs `callback` at the end of the current transaction's work, in the transaction, just before it commits; a
   * throw rolls the transaction back. For writes worth making once per transaction (the outbox's rows). Outside a
   * transaction there is nothing to wait for: returns false and does not call it.
   */
  beforeCommit(callback: () => Promise<void>): boolean {
    const scope = this.storage.getStore();
    scope?.beforeCommit.push(callback);
    return scope !== undefined;
  }

  /**
   * Runs `callback` once the current transaction has committed (never when it rolls back), or now outside one.
   * It runs after the commit, so it must not throw: nothing could undo what it reports on.
   */
  afterCommit(callback: () => void): void {
    const scope = this.storage.getStore();
    if (scope) scope.afterCommit.push(callback);
    else callback();
  }

  disconnect(): Promise<void> {
    return this.root.$disconnect();
  }
}
