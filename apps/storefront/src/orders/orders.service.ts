import {
  ConflictException,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { PlaceOrder } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { currentMessageContext, MessageBus, MessageRejectedError } from '@stitch/messaging-core';
import { Database, databaseUnavailable } from '@stitch/persistence';
import { storefrontConfig, type StorefrontConfig } from '../config/storefront.config';
import type { PrismaClient } from '../generated/prisma/client';
import { InvalidRequestException } from '../http/api-error';
import { InventoryClient } from '../products/inventory.client';
import { TEST_CARD, tokenizeCard } from './card-tokenizer';
import { IdempotencyKeys, requestHash, type IdempotencyKey, type StoredAnswer } from './idempotency-keys';
import { OrderClient } from './order.client';
import { newOrderId } from './order-id';
import type { OrderView, PlaceOrderRequestDto } from './order.schemas';
import { pendingOrderView, storedOrderView } from './order-views';
import { readsPendingWhileUnknown } from './pending-order';

/** The most orders GET /api/orders lists: the customer's newest. */
export const MAX_LISTED_ORDERS = 50;

@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Database) private readonly db: Database<PrismaClient>,
    @Inject(IdempotencyKeys) private readonly keys: IdempotencyKeys,
    @Inject(InventoryClient) private readonly inventory: InventoryClient,
    @Inject(OrderClient) private readonly orders: OrderClient,
    @Inject(storefrontConfig.KEY) private readonly config: StorefrontConfig,
  ) {}

  /**
   * Prices the lines from inventory (the owner of prices; they travel in the message) and hands the order to the
   * order queue through the outbox. Nothing waits for the order service: the answer is "accepted", its outcome
   * comes later. The order id is an idempotency key: recorded with the PlaceOrder outbox row in one transaction, so
   * a retry under the same id gets the first answer and sends nothing, and a different order under it a 409.
   */
  async place(customerId: string, request: PlaceOrderRequestDto): Promise<StoredAnswer> {
    if (request.userId !== undefined && request.userId !== customerId) {
      throw new ForbiddenException({ message: 'userId is not the customer of this session: an order can only be placed for yourself' });
    }
    const paymentMethod = request.card ?? tokenizeCard(TEST_CARD);
    const hash = requestHash({ items: request.items, paymentMethod });
    const orderId = request.orderId ?? newOrderId();

    // A retry of an order already accepted answers at once, without asking inventory again.
    if (request.orderId) {
      const earlier = this.answerFromKey(await this.guardDatabase(orderId, () => this.keys.find(orderId)), customerId, hash);
      if (earlier) return earlier;
    }

    const prices = new Map((await this.inventory.products()).map((product) => [product.sku, product.priceCents]));
    const unknown = request.items.flatMap((item, index) =>
      prices.has(item.sku) ? [] : [{ path: `items.${index}.sku`, message: `no product with SKU ${item.sku}` }],
    );
    if (unknown.length > 0) throw new InvalidRequestException(unknown);

    const accepted: StoredAnswer = { status: 202, body: { orderId, status: 'pending' } };
    const claimed = await this.guardDatabase(orderId, () =>
      this.db.transaction(async () => {
        // A concurrent request with the same id waits here until the first commits (or rolls back), then finds it.
        // The request's correlation id is the checkout's: kept so the order leads to its messages before order-service has it.
        const correlationId = currentMessageContext()?.correlationId;
        if (!(await this.keys.claim(orderId, customerId, hash, accepted, correlationId))) return false;
        // The outbox row commits with the key; the relay sends it after the commit, retrying while the transport is out.
        await this.bus.send(PlaceOrder, {
          orderId,
          userId: customerId,
          items: request.items.map(({ sku, quantity }) => ({ sku, quantity, unitPriceCents: prices.get(sku)! })),
          paymentMethod,
        });
        return true;
      }),
    );
    if (!claimed) {
      const earlier = this.answerFromKey(await this.guardDatabase(orderId, () => this.keys.find(orderId)), customerId, hash);
      if (earlier) return earlier;
    }
    this.logger.log({ orderId, userId: customerId, lines: request.items.length, msg: 'order accepted; PlaceOrder in the outbox' });
    return accepted;
  }

  /** The order, when it is the customer's; another customer's order is as unknown as one that does not exist. */
  async find(customerId: string, orderId: string): Promise<OrderView> {
    const order = await this.orders.order(orderId);
    if (order) {
      if (order.userId !== customerId) throw this.noSuchOrder(orderId);
      // The storefront's record is asked only for what an order-service that does not keep correlation ids leaves out.
      const placedHere = order.correlationId === undefined ? await this.placedHereLately(customerId, orderId) : undefined;
      return storedOrderView(order, placedHere);
    }
    // Not at the order service yet: pending while it is on its way, if this customer placed it here.
    const key = await this.guardDatabase(orderId, () => this.keys.find(orderId));
    if (key?.customerId === customerId && readsPendingWhileUnknown(orderId, Date.now(), this.config.pendingWindowMs)) {
      return pendingOrderView(key);
    }
    throw this.noSuchOrder(orderId);
  }

  /**
   * The customer's orders, newest first: those order-service has, and those accepted here that have not reached it
   * yet, pending as GET /api/orders/:id reads them. Without the storefront's database the list is order-service's alone.
   */
  async list(customerId: string): Promise<OrderView[]> {
    const now = Date.now();
    const [stored, placedHere] = await Promise.all([
      this.orders.ordersOf(customerId),
      this.unlessDatabaseIsDown(() => this.keys.placedBy(customerId, new Date(now - this.config.pendingWindowMs), MAX_LISTED_ORDERS), [], {
        msg: 'the storefront database cannot be reached; listing the orders order-service has',
      }),
    ]);
    const keys = new Map(placedHere.map((key) => [key.orderId, key]));
    const listed = stored.filter((order) => order.userId === customerId).map((order) => storedOrderView(order, keys.get(order.orderId)));
    const known = new Set(listed.map((order) => order.orderId));
    const onTheirWay = placedHere
      .filter((key) => !known.has(key.orderId) && readsPendingWhileUnknown(key.orderId, now, this.config.pendingWindowMs))
      .map(pendingOrderView);
    return [...onTheirWay, ...listed]
      .sort((a, b) => b.placedAt.localeCompare(a.placedAt) || b.orderId.localeCompare(a.orderId))
      .slice(0, MAX_LISTED_ORDERS);
  }

  /**
   * The storefront's record of an order the customer placed here within the pending window: the records GET
   * /api/orders reads, so an order answers the same alone as in the list. Without the storefront's database there is
   * none, which costs the answer only a correlation id order-service did not keep.
   */
  private async placedHereLately(customerId: string, orderId: string): Promise<IdempotencyKey | undefined> {
    const key = await this.unlessDatabaseIsDown(() => this.keys.find(orderId), undefined, {
      orderId,
      msg: 'the storefront database cannot be reached; answering the order as order-service has it',
    });
    const lately = key !== undefined && key.createdAt.getTime() >= Date.now() - this.config.pendingWindowMs;
    return lately && key.customerId === customerId ? key : undefined;
  }

  /** What the storefront's own records add to an answer, or `fallback`, with a warning, while its database is down. */
  private async unlessDatabaseIsDown<T>(
    read: () => Promise<T>,
    fallback: T,
    log: { readonly msg: string; readonly orderId?: string },
  ): Promise<T> {
    try {
      return await read();
    } catch (error) {
      const reason = databaseUnavailable(error);
      if (!reason) throw error;
      this.logger.warn({ ...log, reason });
      return fallback;
    }
  }

  private noSuchOrder(orderId: string): NotFoundException {
    return new NotFoundException({ message: `No order ${orderId}` });
  }

  /** A key already taken: the same customer's same order gets the first answer again; anything else is a 409. */
  private answerFromKey(key: IdempotencyKey | undefined, customerId: string, hash: string): StoredAnswer | undefined {
    if (!key) return undefined;
    if (key.customerId === customerId && key.requestHash === hash) {
      this.logger.log({ orderId: key.orderId, msg: 'order id repeated with the same order; answering as the first time, nothing sent' });
      return key.answer;
    }
    this.logger.warn({ orderId: key.orderId, msg: 'order id repeated with a different order; answering 409' });
    throw new ConflictException({
      message: `Order id ${key.orderId} is already used by a different order; retry with the same order, or place a new order under a new id`,
      orderId: key.orderId,
    });
  }

  /** The storefront's database out of reach is a 503 to retry (with the same order id), never a 500. */
  private async guardDatabase<T>(orderId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof HttpException || error instanceof MessageRejectedError) throw error;
      const reason = databaseUnavailable(error);
      if (!reason) throw error;
      this.logger.warn({ orderId, reason, msg: 'the storefront database cannot be reached; answering 503' });
      throw new ServiceUnavailableException({
        message: `The storefront cannot record orders right now; try again shortly, with orderId ${orderId} to be sure the order is placed once`,
        service: Services.storefront,
      });
    }
  }
}
