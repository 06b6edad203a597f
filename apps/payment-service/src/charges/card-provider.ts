export interface CardChargeRequest {
  /** The same key always gets the same outcome, and the card is charged at most once for it. */
  readonly idempotencyKey: string;
  readonly amountCents: number;
  readonly currency: string;
  /** The provider's token for the card; the card number itself never reaches this service. */
  readonly token: string;
}

export type CardChargeResult =
  { readonly status: 'succeeded'; readonly chargeId: string } | { readonly status: 'declined'; readonly reason: string };

export interface CardRefundRequest {
  /** The same key always gets the same refund, and the charge is refunded at most once for it. */
  readonly idempotencyKey: string;
  /** The provider's id of the charge to give back. */
  readonly chargeId: string;
  readonly amountCents: number;
}

export interface CardRefundResult {
  readonly refundId: string;
}

/** A card payment provider, as the payment service needs it. */
export interface CardProvider {
  charge(request: CardChargeRequest): Promise<CardChargeResult>;
  refund(request: CardRefundRequest): Promise<CardRefundResult>;
}

export const CARD_PROVIDER = Symbol('CARD_PROVIDER');
