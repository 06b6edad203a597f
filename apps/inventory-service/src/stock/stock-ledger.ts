import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@stitch/persistence';
import type { PrismaClient } from '../generated/prisma/client';
import type { ReservationStatus } from '../generated/prisma/enums';
import type { StockLine } from './reservation-decision';

export interface OrderReservation {
  readonly status: ReservationStatus;
  readonly lines: readonly StockLine[];
}

/**
 * Stock and reservations in the database. Meant to run inside one transaction (a handler's, through the
 * inbox): `lock` first, then decide, then `hold`, so nothing another transaction does can change the stock
 * between the decision and the write.
 */
@Injectable()
export class StockLedger {
  constructor(@Inject(Database) private readonly db: Database<PrismaClient>) {}

  /**
   * Locks the products' rows until the transaction ends and returns their stock; unknown SKUs are absent.
   * Rows are locked in SKU order, the same in every transaction, so two reservations cannot deadlock.
   */
  async lock(skus: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.db.client.$queryRaw<Array<{ sku: string; available: number }>>`
      SELECT sku, available FROM product WHERE sku = ANY(${[...skus]}::text[]) ORDER BY sku FOR UPDATE`;
    return new Map(rows.map((row) => [row.sku, row.available]));
  }

  /** What the order holds or held, or undefined when it never reserved anything. */
  async reservationOf(orderId: string): Promise<OrderReservation | undefined> {
    const rows = await this.db.client.reservation.findMany({ where: { orderId }, orderBy: { sku: 'asc' } });
    const first = rows[0];
    if (!first) return undefined;
    return { status: first.status, lines: rows.map(({ sku, quantity }) => ({ sku, quantity })) };
  }

  /** Takes the lines from stock for the order. The caller has locked the rows and checked the stock. */
  async hold(orderId: string, lines: readonly StockLine[]): Promise<void> {
    // One statement, by hand, for every line's stock and reservation: an update per line and Prisma's createMany
    // (compiled anew on every call, docs/benchmarks.md) would be a round trip each.
    const skus = lines.map((line) => line.sku);
    const quantities = lines.map((line) => line.quantity);
    await this.db.client.$executeRaw`
      WITH line AS (
        SELECT * FROM unnest(${skus}::text[], ${quantities}::int[]) AS line (sku, quantity)
      ), taken AS (
        UPDATE product SET available = product.available - line.quantity
        FROM line WHERE product.sku = line.sku
      )
      INSERT INTO reservation (order_id, sku, quantity, updated_at)
      SELECT ${orderId}::uuid, line.sku, line.quantity, now() FROM line`;
  }

  /**
   * Gives back what the order holds and marks it released; returns what was given back. Marking first
   * (a conditional update) means a concurrent or repeated release finds nothing left to give back.
   */
  async release(orderId: string): Promise<StockLine[]> {
    const released = await this.db.client.reservation.updateManyAndReturn({
      where: { orderId, status: 'held' },
      data: { status: 'released' },
      select: { sku: true, quantity: true },
    });
    const lines = released.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    for (const line of lines) {
      await this.db.client.product.update({ where: { sku: line.sku }, data: { available: { increment: line.quantity } } });
    }
    return lines;
  }
}
