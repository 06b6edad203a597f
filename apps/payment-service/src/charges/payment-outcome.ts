import { PaymentFailed, PaymentSucceeded } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';

/** A charge as stored, as far as telling its outcome needs. */
export interface ChargeRecord {
  readonly id: string;
  readonly orderId: string;
  readonly amountCents: number;
  readonly status: 'succeeded' | 'declined';
  readonly declineReason: string | null;
}

export type PaymentOutcome =
  | { readonly event: typeof PaymentSucceeded; readonly data: MessageData<typeof PaymentSucceeded> }
  | { readonly event: typeof PaymentFailed; readonly data: MessageData<typeof PaymentFailed> };

/** The event that tells an order how its charge went; the same for the first answer and every repeat. */
export function paymentOutcome(charge: ChargeRecord): PaymentOutcome {
  if (charge.status === 'succeeded') {
    return { event: PaymentSucceeded, data: { orderId: charge.orderId, chargeId: charge.id, amountCents: charge.amountCents } };
  }
  return { event: PaymentFailed, data: { orderId: charge.orderId, reason: charge.declineReason ?? 'card declined' } };
}
