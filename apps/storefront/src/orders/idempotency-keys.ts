import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Database } from '@stitch/persistence';
import { storefrontConfig, type StorefrontConfig } from '../config/storefront.config';
import type { IdempotencyKey as IdempotencyKeyRow, PrismaClient } from '../generated/prisma/client';

/** What was asked under an order id, reduced to what makes two requests the same order. */
export interface PlacedRequest {
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  /** The card as tokenized; the number itself never gets here. */
  readonly paymentMethod: { readonly token: string; readonly last4: string };
}

export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotencyKey {
  readonly orderId: string;
  readonly customerId: string;
  readonly requestHash: string;
  readonly answer: StoredAnswer;
  /** The correlation id of the request that placed it: its checkout's. */
  readonly correlationId?: string;
  readonly createdAt: Date;
}

/** sha256 of the request in a fixed shape: the same order always hashes the same, whatever the JSON's key order. */
export function requestHash(request: PlacedRequest): string {
  const canonical = JSON.stringify({
    items: request.items.map(({ sku, quantity }) => [sku, quantity]),
    paymentMethod: [request.paymentMethod.token, request.paymentMethod.last4],
  });
  return createHash('sha256').update(canonical).digest('hex');
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * The order ids the storefront accepted (table `idempotency_key`). A key is written in the same transaction as the
 * PlaceOrder outbox row, so it exists if and only if its command will be sent. Keys older than
 * IDEMPOTENCY_KEY_RETENTION_MS are pruned, by every replica now and then (a delete of old rows is safe to repeat).
 */
@Injectable()
export class IdempotencyKeys implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyKeys.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(Database) private readonly db: Database<PrismaClient>,
    @Inject(storefrontConfig.KEY) private readonly config: StorefrontConfig,
  ) {}

  async find(orderId: string): Promise<IdempotencyKey | undefined> {
    const row = await this.db.client.idempotencyKey.findUnique({ where: { orderId } });
    return row ? toKey(row) : undefined;
  }

  /** The order ids a customer placed here since `since`, newest first, at most `limit`. */
  async placedBy(customerId: string, since: Date, limit: number): Promise<IdempotencyKey[]> {
    const rows = await this.db.client.idempotencyKey.findMany({
      where: { customerId, createdAt: { gte: since } },
      orderBy: [{ createdAt: 'desc' }, { orderId: 'desc' }],
      take: limit,
    });
    return rows.map(toKey);
  }

  /**
   * Records the key unless the id is taken: INSERT … ON CONFLICT DO NOTHING, which waits for a concurrent
   * transaction holding the same id to end and then skips the row if it committed. True when this call recorded it.
   */
  async claim(orderId: string, customerId: string, hash: string, answer: StoredAnswer, correlationId?: string): Promise<boolean> {
    // By hand rather than createMany's skipDuplicates, which Prisma compiles anew on every call: several times this
    // statement's CPU, on every order (docs/benchmarks.md).
    const recorded = await this.db.client.$executeRaw`
      INSERT INTO idempotency_key (order_id, customer_id, request_hash, response_status, response_body, correlation_id)
      VALUES (${orderId}::uuid, ${customerId}::uuid, ${hash}, ${answer.status}, ${JSON.stringify(answer.body)}::jsonb, ${correlationId ?? null})
      ON CONFLICT (order_id) DO NOTHING`;
    return recorded === 1;
  }

  async prune(now = Date.now()): Promise<number> {
    const { count } = await this.db.client.idempotencyKey.deleteMany({
      where: { createdAt: { lt: new Date(now - this.config.idempotencyKeyRetentionMs) } },
    });
    if (count > 0) this.logger.log({ count, msg: 'pruned idempotency keys past their retention' });
    return count;
  }

  onApplicationBootstrap(): void {
    const prune = () =>
      void this.prune().catch((error: unknown) =>
        this.logger.warn({ err: error, msg: 'could not prune idempotency keys; trying again later' }),
      );
    prune();
    this.timer = setInterval(prune, Math.min(PRUNE_EVERY_MS, this.config.idempotencyKeyRetentionMs));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

function toKey(row: IdempotencyKeyRow): IdempotencyKey {
  return {
    orderId: row.orderId,
    customerId: row.customerId,
    requestHash: row.requestHash,
    answer: { status: row.responseStatus, body: row.responseBody },
    ...(row.correlationId === null ? {} : { correlationId: row.correlationId }),
    createdAt: row.createdAt,
  };
}
