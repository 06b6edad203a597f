import { Controller, Inject, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ReleaseStock, ReserveStock, StockReservationFailed, StockReserved } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { HandleMessage, MessageBus } from '@stitch/messaging-core';
import { combineLines, decideReservation } from './reservation-decision';
import { StockLedger } from './stock-ledger';

/**
 * The inventory's commands. Each runs in the inbox's transaction: the stock it changes and the event it
 * publishes commit together, and a redelivered message has no second effect.
 */
@Controller()
export class StockHandlers {
  private readonly logger = new Logger(StockHandlers.name);

  constructor(
    @Inject(StockLedger) private readonly ledger: StockLedger,
    @Inject(MessageBus) private readonly bus: MessageBus,
  ) {}

  @HandleMessage(ReserveStock)
  async reserve(@Payload() { orderId, items }: MessageData<typeof ReserveStock>): Promise<void> {
    const lines = combineLines(items);
    // Lock before looking for an earlier reservation: a concurrent ReserveStock for the same order then waits
    // here and sees what the first one held once it commits.
    const stock = await this.ledger.lock(lines.map((line) => line.sku));

    const earlier = await this.ledger.reservationOf(orderId);
    if (earlier?.status === 'held') {
      this.logger.log(`order ${orderId} already holds its stock; confirming it again`);
      await this.bus.publish(StockReserved, { orderId, items: [...earlier.lines] });
      return;
    }
    if (earlier?.status === 'released') {
      // The order was compensated (cancelled); holding stock for it again would strand that stock.
      this.logger.warn(`order ${orderId} already released its stock; not reserving again`);
      await this.bus.publish(StockReservationFailed, { orderId, reason: 'The stock for this order was already released', shortages: [] });
      return;
    }

    const decision = decideReservation(lines, stock);
    if (decision.outcome === 'short') {
      this.logger.log(`cannot reserve for order ${orderId}: ${decision.reason}`);
      await this.bus.publish(StockReservationFailed, { orderId, reason: decision.reason, shortages: [...decision.shortages] });
      return;
    }
    await this.ledger.hold(orderId, decision.lines);
    this.logger.log(`reserved ${decision.lines.length} line(s) for order ${orderId}`);
    await this.bus.publish(StockReserved, { orderId, items: [...decision.lines] });
  }

  @HandleMessage(ReleaseStock)
  async release(@Payload() { orderId, reason }: MessageData<typeof ReleaseStock>): Promise<void> {
    const released = await this.ledger.release(orderId);
    if (released.length === 0) {
      this.logger.log(`order ${orderId} holds no stock; nothing to release`);
      return;
    }
    this.logger.log(`released ${released.length} line(s) of order ${orderId}: ${reason}`);
  }
}
