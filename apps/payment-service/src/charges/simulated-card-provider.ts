import { randomUUID } from 'node:crypto';
import type { CardChargeRequest, CardChargeResult, CardProvider, CardRefundRequest, CardRefundResult } from './card-provider';

/** What the storefront's tokenizer gives for the test card 4000000000000002. */
export const DECLINED_CARD_TOKEN = 'tok_chargeDeclined';

/** A key reused for a different charge: a caller bug, as real providers treat it. */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
}

interface Remembered {
  readonly request: CardChargeRequest;
  readonly result: CardChargeResult;
}

/**
 * A stand-in card provider that behaves like a real one where it matters here: the test card's token is
 * declined, any other succeeds, and a repeated idempotency key gets the first outcome back instead of a
 * second charge. It remembers keys for the life of the process, as the database does beyond it.
 */
export class SimulatedCardProvider implements CardProvider {
  private readonly byKey = new Map<string, Remembered>();
  private readonly refundsByKey = new Map<string, { readonly request: CardRefundRequest; readonly result: CardRefundResult }>();

  async charge(request: CardChargeRequest): Promise<CardChargeResult> {
    const earlier = this.byKey.get(request.idempotencyKey);
    if (earlier) {
      if (!sameCharge(earlier.request, request)) {
        throw new IdempotencyKeyReusedError(`idempotency key ${request.idempotencyKey} was already used for a different charge`);
      }
      return earlier.result;
    }
    const result: CardChargeResult =
      request.token === DECLINED_CARD_TOKEN
        ? { status: 'declined', reason: 'card declined' }
        : { status: 'succeeded', chargeId: `ch_sim_${randomUUID().replaceAll('-', '')}` };
    this.byKey.set(request.idempotencyKey, { request, result });
    return result;
  }

  async refund(request: CardRefundRequest): Promise<CardRefundResult> {
    const earlier = this.refundsByKey.get(request.idempotencyKey);
    if (earlier) {
      if (earlier.request.chargeId !== request.chargeId || earlier.request.amountCents !== request.amountCents) {
        throw new IdempotencyKeyReusedError(`idempotency key ${request.idempotencyKey} was already used for a different refund`);
      }
      return earlier.result;
    }
    const result = { refundId: `re_sim_${randomUUID().replaceAll('-', '')}` };
    this.refundsByKey.set(request.idempotencyKey, { request, result });
    return result;
  }
}

function sameCharge(a: CardChargeRequest, b: CardChargeRequest): boolean {
  return a.amountCents === b.amountCents && a.currency === b.currency && a.token === b.token;
}
