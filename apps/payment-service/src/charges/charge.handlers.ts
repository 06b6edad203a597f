import { Controller, Inject, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ChargePayment, PaymentRefunded, RefundPayment } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { HandleMessage, MessageBus, PermanentError } from '@stitch/messaging-core';
import { workshopConfig, type WorkshopConfig } from '../config/workshop.config';
import { CARD_PROVIDER, type CardProvider } from './card-provider';
import { ChargeLedger } from './charge-ledger';
import { paymentOutcome } from './payment-outcome';

/** A RefundPayment that names a charge this service never made: no retry can make it refundable. */
export class NothingToRefundError extends PermanentError {
  override readonly name = 'NothingToRefundError';
}

/**
 * The workshop's poison card (PAYMENT_SERVICE_POISON_CARD_LAST4): a failure that no retry mends, as a bug's would,
 * so the ChargePayment ends among the dead letters until the setting is removed and the message replayed.
 */
export class PoisonCardError extends Error {
  override readonly name = 'PoisonCardError';
  constructor(last4: string) {
    super(`the card ending ${last4} is the workshop's poison card (PAYMENT_SERVICE_POISON_CARD_LAST4): every charge on it fails`);
  }
}

/**
 * Charges an order's card once, and refunds it at most once. The order id is the idempotency key twice over:
 * the provider answers a repeated key with its first outcome, and a ChargePayment for an order already charged
 * (a resend under a new message id) publishes the stored outcome again without calling the provider; a
 * RefundPayment for a charge already refunded changes and sends nothing. Runs in the inbox's transaction.
 */
@Controller()
export class ChargeHandlers {
  private readonly logger = new Logger(ChargeHandlers.name);

  constructor(
    @Inject(ChargeLedger) private readonly charges: ChargeLedger,
    @Inject(CARD_PROVIDER) private readonly provider: CardProvider,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(workshopConfig.KEY) private readonly workshop: WorkshopConfig,
  ) {}

  @HandleMessage(ChargePayment)
  async charge(@Payload() { orderId, amountCents, currency, paymentMethod }: MessageData<typeof ChargePayment>): Promise<void> {
    const earlier = await this.charges.findByOrder(orderId);
    if (earlier) {
      this.logger.log(`order ${orderId} was already charged (${earlier.status}); telling the outcome again`);
      await this.publish(paymentOutcome(earlier));
      return;
    }
    if (paymentMethod.last4 === this.workshop.poisonCardLast4) throw new PoisonCardError(paymentMethod.last4);

    const answer = await this.provider.charge({ idempotencyKey: orderId, amountCents, currency, token: paymentMethod.token });
    const charge = await this.charges.record({ orderId, amountCents, currency, last4: paymentMethod.last4, outcome: answer });
    // The card's last four digits at most: a token is as good as the card to whoever holds it.
    this.logger.log(`charge of ${amountCents} ${currency} for order ${orderId} on card ending ${paymentMethod.last4}: ${charge.status}`);
    await this.publish(paymentOutcome(charge));
  }

  @HandleMessage(RefundPayment)
  async refund(@Payload() { orderId, chargeId, amountCents, reason }: MessageData<typeof RefundPayment>): Promise<void> {
    const charge = await this.charges.findForRefund(orderId);
    if (!charge || charge.id !== chargeId) {
      throw new NothingToRefundError(`order ${orderId} has no charge ${chargeId} here; nothing to refund`);
    }
    if (charge.status !== 'succeeded' || !charge.providerChargeId) {
      this.logger.log(`order ${orderId}'s charge was ${charge.status}; nothing was taken, nothing to refund`);
      return;
    }
    if (charge.refundedAt) {
      this.logger.log(`order ${orderId}'s charge was already refunded (${charge.providerRefundId}); nothing to do`);
      return;
    }
    if (amountCents !== charge.amountCents) {
      throw new NothingToRefundError(`order ${orderId} was charged ${charge.amountCents} cents, not the ${amountCents} asked back`);
    }
    // The key makes a concurrent or repeated call the same refund at the provider; the guarded update keeps one record.
    const { refundId } = await this.provider.refund({
      idempotencyKey: orderId,
      chargeId: charge.providerChargeId,
      amountCents: charge.amountCents,
    });
    if (!(await this.charges.recordRefund(orderId, { refundId, reason }))) {
      this.logger.log(`order ${orderId}'s charge was refunded meanwhile; nothing to do`);
      return;
    }
    this.logger.log(`refunded ${charge.amountCents} cents of order ${orderId} (${refundId}): ${reason}`);
    await this.bus.publish(PaymentRefunded, { orderId, chargeId: charge.id, refundId, amountCents: charge.amountCents });
  }

  private async publish({ event, data }: ReturnType<typeof paymentOutcome>): Promise<void> {
    await this.bus.publish(event, data);
  }
}
