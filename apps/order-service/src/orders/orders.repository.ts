import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@stitch/persistence';
import type { Order, OrderLine as OrderLineRow, PrismaClient } from '../generated/prisma/client';
import type { Currency, NewOrder, OrderLine, OrderStatus, SagaOrder, SagaState } from './checkout-saga';

/** An order as `GET /orders/:id` answers it. */
export interface OrderView {
  readonly orderId: string;
  /** The customer: the storefront shows an order only to them. */
  readonly userId: string;
  readonly status: OrderStatus;
  readonly reason?: string;
  readonly items: readonly OrderLine[];
  readonly totalCents: number;
  readonly version: number;
  /** The checkout's correlation id; absent on orders placed before it was kept. */
  readonly correlationId?: string;
  /** When this service stored it (ISO 8601). */
  readonly placedAt: string;
}

/** The most orders one `GET /orders?customerId=` answers: a customer's newest. */
export const MAX_LISTED_ORDERS = 50;

/** Orders and their lines in the service's database, in the shapes the saga and the query need. */
@Injectable()
export class OrdersRepository {
  constructor(@Inject(Database) private readonly db: Database<PrismaClient>) {}

  async exists(orderId: string): Promise<boolean> {
    return (await this.db.client.order.count({ where: { id: orderId } })) > 0;
  }

  /** `correlationId`: the checkout the PlaceOrder belonged to, kept so a customer's orders lead to their messages. */
  async create(order: NewOrder, correlationId: string): Promise<void> {
    await this.db.client.order.create({
      data: {
        id: order.orderId,
        correlationId,
        userId: order.userId,
        status: order.status,
        stockReserved: order.stockReserved,
        version: order.version,
        totalCents: order.totalCents,
        currency: order.currency,
        paymentToken: order.paymentMethod.token,
        paymentLast4: order.paymentMethod.last4,
        lines: {
          create: order.items.map((line, position) => ({
            position,
            sku: line.sku,
            quantity: line.quantity,
            unitPriceCents: line.unitPriceCents,
          })),
        },
      },
    });
  }

  /** The order with its customer, as the saga decides on it; undefined for an id never placed here. */
  async findForSaga(orderId: string): Promise<SagaOrder | undefined> {
    // One statement with the join, by hand: Prisma's include reads the customer in a second SELECT, on every reply.
    const [row] = await this.db.client.$queryRaw<SagaRow[]>`
      SELECT o.id, o.user_id, o.status::text AS status, o.stock_reserved, o.reason, o.version, o.total_cents,
        o.currency::text AS currency, o.payment_token, o.payment_last4, u.email, u.name
      FROM "order" o JOIN "user" u ON u.id = o.user_id
      WHERE o.id = ${orderId}::uuid`;
    if (!row) return undefined;
    return {
      orderId: row.id,
      userId: row.user_id,
      status: row.status,
      stockReserved: row.stock_reserved,
      ...(row.reason === null ? {} : { reason: row.reason }),
      version: row.version,
      totalCents: row.total_cents,
      currency: row.currency,
      paymentMethod: { token: row.payment_token, last4: row.payment_last4 },
      customer: { email: row.email, name: row.name },
    };
  }

  /**
   * Moves an order from the state a decision was taken on to the decided one, and only from that state: the
   * update matches (id, status, version), so of two replicas deciding on the same version one changes the row
   * and the other changes nothing and learns so (false).
   */
  async transition(orderId: string, from: SagaState, to: SagaState): Promise<boolean> {
    const { count } = await this.db.client.order.updateMany({
      where: { id: orderId, status: from.status, version: from.version },
      data: { status: to.status, stockReserved: to.stockReserved, reason: to.reason ?? null, version: to.version },
    });
    return count === 1;
  }

  async findView(orderId: string): Promise<OrderView | undefined> {
    const row = await this.db.client.order.findUnique({ where: { id: orderId }, include: { lines: { orderBy: { position: 'asc' } } } });
    return row ? toView(row) : undefined;
  }

  /** A customer's newest orders first, at most `limit`. */
  async listViews(customerId: string, limit = MAX_LISTED_ORDERS): Promise<OrderView[]> {
    const rows = await this.db.client.order.findMany({
      where: { userId: customerId },
      include: { lines: { orderBy: { position: 'asc' } } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map(toView);
  }
}

type OrderRow = Order & { lines: OrderLineRow[] };

/** What findForSaga's statement returns; the enums come as their text, which the database has checked. */
interface SagaRow {
  readonly id: string;
  readonly user_id: string;
  readonly status: OrderStatus;
  readonly stock_reserved: boolean;
  readonly reason: string | null;
  readonly version: number;
  readonly total_cents: number;
  readonly currency: Currency;
  readonly payment_token: string;
  readonly payment_last4: string;
  readonly email: string;
  readonly name: string;
}

function toView(row: OrderRow): OrderView {
  return {
    orderId: row.id,
    userId: row.userId,
    status: row.status,
    ...(row.reason === null ? {} : { reason: row.reason }),
    items: row.lines.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
    totalCents: row.totalCents,
    version: row.version,
    ...(row.correlationId === null ? {} : { correlationId: row.correlationId }),
    placedAt: row.createdAt.toISOString(),
  };
}
