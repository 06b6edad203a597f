import type { ITXClientDenyList } from '@prisma/client/runtime/client';

export type IsolationLevel = 'ReadUncommitted' | 'ReadCommitted' | 'RepeatableRead' | 'Serializable';

export interface PrismaTransactionOptions {
  readonly maxWait?: number;
  readonly timeout?: number;
  readonly isolationLevel?: IsolationLevel;
}

/**
 * What this library needs of a PrismaClient. Each service generates its own client, so the library is typed
 * against this shape, which every generated `PrismaClient` has, and hands the service back its own type.
 */
export interface PrismaClientLike {
  // The callback receives the generated client's transaction client; `Database` gives it its real type.
  $transaction<R>(work: (transaction: unknown) => Promise<R>, options?: PrismaTransactionOptions): PromiseLike<R>;
  // Constant SQL with $1..$n parameters only: "Unsafe" refers to building the string from input, which we never do.
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $disconnect(): Promise<void>;
}

/** A generated client inside an interactive transaction: Prisma's own definition (the client minus these). */
export type TransactionClient<TClient> = Omit<TClient, ITXClientDenyList>;
