import { Inject, Injectable, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { PlaceOrder } from '@stitch/contracts';
import { MessageBus, MessageRejectedError } from '@stitch/messaging-core';
import { storefrontConfig, type StorefrontConfig } from '../config/storefront.config';
import { InvalidRequestException } from '../http/api-error';
import { InventoryClient } from '../products/inventory.client';
import { TEST_CARD, tokenizeCard } from './card-tokenizer';
import { OrderClient } from './order.client';
import { newOrderId } from './order-id';
import type { OrderView, PlaceOrderRequestDto } from './order.schemas';
import { readsPendingWhileUnknown } from './pending-order';

@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(InventoryClient) private readonly inventory: InventoryClient,
    @Inject(OrderClient) private readonly orders: OrderClient,
    @Inject(storefrontConfig.KEY) private readonly config: StorefrontConfig,
  ) {}

  /**
   * Prices the lines from inventory (the owner of prices; they travel in the message) and hands the order to
   * the order queue. Nothing waits for the order service: the answer is "accepted", its outcome comes later.
   */
  async place(request: PlaceOrderRequestDto): Promise<{ orderId: string; status: 'pending' }> {
    const prices = new Map((await this.inventory.products()).map((product) => [product.sku, product.priceCents]));
    const unknown = request.items.flatMap((item, index) =>
      prices.has(item.sku) ? [] : [{ path: `items.${index}.sku`, message: `no product with SKU ${item.sku}` }],
    );
    if (unknown.length > 0) throw new InvalidRequestException(unknown);

    // The order service places an order id once, so a client that retries with its own id cannot order twice.
    const orderId = request.orderId ?? newOrderId();
    try {
      await this.bus.send(PlaceOrder, {
        orderId,
        userId: request.userId,
        items: request.items.map(({ sku, quantity }) => ({ sku, quantity, unitPriceCents: prices.get(sku)! })),
        paymentMethod: request.card ?? tokenizeCard(TEST_CARD),
      });
    } catch (error) {
      if (error instanceof MessageRejectedError) throw error;
      // The transport failed, perhaps after the message got through: whether it did is unknown, so the answer
      // says to retry with the same order id, which the order service places only once.
      this.logger.warn({ orderId, err: error, msg: 'PlaceOrder could not be sent; answering 503' });
      throw new ServiceUnavailableException({
        message: `The order queue cannot be reached; try again shortly, with orderId ${orderId} to be sure the order is placed once`,
        service: 'order-service',
      });
    }
    this.logger.log({ orderId, userId: request.userId, lines: request.items.length, msg: 'order accepted; PlaceOrder sent' });
    return { orderId, status: 'pending' };
  }

  async find(orderId: string): Promise<OrderView> {
    const order = await this.orders.order(orderId);
    if (order) return order;
    if (readsPendingWhileUnknown(orderId, Date.now(), this.config.pendingWindowMs)) return { orderId, status: 'pending', items: [], totalCents: 0 };
    throw new NotFoundException({ message: `No order ${orderId}` });
  }
}
