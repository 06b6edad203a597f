export interface CardChargeRequest {
  /** The same key always gets the same outcome, and the card is charged at most once for it. */
  readonly idempotencyKey: string;
  readonly amountCents: number;
  readonly currency: string;
  /** The provider's token for the card; the card number itself never reaches this service. */
  readonly token: string;
}

export type CardChargeResult = { readonly status: 'succeeded'; readonly chargeId: string } | { readonly status: 'declined'; readonly reason: string };

/** A card payment provider, as the payment service needs it. */
export interface CardProvider {
  charge(request: CardChargeRequest): Promise<CardChargeResult>;
}

export const CARD_PROVIDER = Symbol('CARD_PROVIDER');
