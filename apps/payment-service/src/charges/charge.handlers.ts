import { Controller, Inject, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ChargePayment, type MessageData } from '@stitch/contracts';
import { HandleMessage, MessageBus } from '@stitch/messaging-core';
import { CARD_PROVIDER, type CardProvider } from './card-provider';
import { ChargeLedger } from './charge-ledger';
import { paymentOutcome } from './payment-outcome';

/**
 * Charges an order's card once. The order id is the idempotency key twice over: the provider answers a
 * repeated key with its first outcome, and a ChargePayment for an order already charged (a resend under a new
 * message id) publishes the stored outcome again without calling the provider. Runs in the inbox's transaction.
 */
@Controller()
export class ChargeHandlers {
  private readonly logger = new Logger(ChargeHandlers.name);

  constructor(
    @Inject(ChargeLedger) private readonly charges: ChargeLedger,
    @Inject(CARD_PROVIDER) private readonly provider: CardProvider,
    @Inject(MessageBus) private readonly bus: MessageBus,
  ) {}

  @HandleMessage(ChargePayment)
  async charge(@Payload() { orderId, amountCents, currency, paymentMethod }: MessageData<typeof ChargePayment>): Promise<void> {
    const earlier = await this.charges.findByOrder(orderId);
    if (earlier) {
      this.logger.log(`order ${orderId} was already charged (${earlier.status}); telling the outcome again`);
      await this.publish(paymentOutcome(earlier));
      return;
    }

    const answer = await this.provider.charge({ idempotencyKey: orderId, amountCents, currency, token: paymentMethod.token });
    const charge = await this.charges.record({ orderId, amountCents, currency, last4: paymentMethod.last4, outcome: answer });
    // The card's last four digits at most: a token is as good as the card to whoever holds it.
    this.logger.log(`charge of ${amountCents} ${currency} for order ${orderId} on card ending ${paymentMethod.last4}: ${charge.status}`);
    await this.publish(paymentOutcome(charge));
  }

  private async publish({ event, data }: ReturnType<typeof paymentOutcome>): Promise<void> {
    await this.bus.publish(event, data);
  }
}
