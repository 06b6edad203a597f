import { Controller, Inject, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ExpireOrder, PaymentFailed, PaymentSucceeded, PlaceOrder, StockReservationFailed, StockReserved } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { HandleMessage, MessageBus, MessageEnvelope, MessageRejectedError, type Envelope } from '@stitch/messaging-core';
import { orderConfig, type OrderConfig } from '../config/order.config';
import { UsersRepository } from '../users/users.repository';
import { decide, placeOrder, type Outgoing, type SagaReply } from './checkout-saga';
import { OrdersRepository } from './orders.repository';
import { OrderChangedConcurrentlyError, UnknownUserError } from './saga-errors';

/**
 * The checkout saga's message handlers. Each runs inside the inbox's transaction, so the order's change and
 * the messages it causes commit together; the decisions themselves are checkout-saga.ts's.
 */
@Controller()
export class CheckoutSagaHandlers {
  private readonly logger = new Logger('CheckoutSaga');

  constructor(
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(orderConfig.KEY) private readonly config: OrderConfig,
  ) {}

  // The UserSignedUp a PlaceOrder overtook is usually a moment behind, never within the same instant: retrying at
  // once would only spend attempts, so this handler backs off from its first failure.
  @HandleMessage(PlaceOrder, { retry: { immediate: 0 } })
  async placeOrder(@MessageEnvelope() envelope: Envelope<MessageData<typeof PlaceOrder>>): Promise<void> {
    const command = envelope.data;
    if (!(await this.users.exists(command.userId))) throw new UnknownUserError(command.userId);
    if (await this.orders.exists(command.orderId)) {
      this.logger.log({ orderId: command.orderId, msg: 'PlaceOrder for an order already placed; nothing to do' });
      return;
    }
    const decision = placeOrder(command, this.config.timeoutMs);
    if (decision.outcome === 'rejected') throw new MessageRejectedError(decision.why);
    await this.orders.create(decision.order, envelope.correlationId);
    await this.dispatch(decision.messages);
  }

  @HandleMessage(StockReserved)
  stockReserved(@Payload() data: MessageData<typeof StockReserved>): Promise<void> {
    return this.advance({ name: 'StockReserved', data });
  }

  @HandleMessage(StockReservationFailed)
  stockReservationFailed(@Payload() data: MessageData<typeof StockReservationFailed>): Promise<void> {
    return this.advance({ name: 'StockReservationFailed', data });
  }

  @HandleMessage(PaymentSucceeded)
  paymentSucceeded(@Payload() data: MessageData<typeof PaymentSucceeded>): Promise<void> {
    return this.advance({ name: 'PaymentSucceeded', data });
  }

  @HandleMessage(PaymentFailed)
  paymentFailed(@Payload() data: MessageData<typeof PaymentFailed>): Promise<void> {
    return this.advance({ name: 'PaymentFailed', data });
  }

  /** The order's own deadline, sent to itself when it was placed. */
  @HandleMessage(ExpireOrder)
  expireOrder(@Payload() data: MessageData<typeof ExpireOrder>): Promise<void> {
    return this.advance({ name: 'ExpireOrder', data });
  }

  private async advance(reply: SagaReply): Promise<void> {
    const { orderId } = reply.data;
    const order = await this.orders.findForSaga(orderId);
    if (!order) {
      this.logger.warn({ orderId, reply: reply.name, msg: `${reply.name} for an order this service never placed; ignored` });
      return;
    }
    const decision = decide(order, reply);
    if (decision.outcome === 'ignored') {
      this.logger.log({ orderId, reply: reply.name, version: order.version, msg: `ignored: ${decision.why}` });
      return;
    }
    if (decision.outcome === 'compensated') {
      // The order is cancelled and stays so: nothing to guard, only something to give back.
      this.logger.warn({ orderId, reply: reply.name, version: order.version, msg: decision.why });
      await this.dispatch(decision.messages);
      return;
    }
    if (!(await this.orders.transition(orderId, order, decision.next))) throw new OrderChangedConcurrentlyError(orderId, order.version);
    await this.dispatch(decision.messages);
  }

  private async dispatch(messages: readonly Outgoing[]): Promise<void> {
    for (const message of messages) {
      if (message.kind === 'command')
        await this.bus.send(message.definition, message.data, message.delayMs === undefined ? {} : { delayMs: message.delayMs });
      else await this.bus.publish(message.definition, message.data);
    }
  }
}
