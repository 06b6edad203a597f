import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@stitch/persistence';
import type { PrismaClient } from '../generated/prisma/client';
import type { Currency } from '../generated/prisma/enums';
import type { ChargeRecord } from './payment-outcome';

export interface NewCharge {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: Currency;
  readonly last4: string;
  readonly outcome: { readonly status: 'succeeded'; readonly chargeId: string } | { readonly status: 'declined'; readonly reason: string };
}

/** A charge as a refund needs it. */
export interface RefundableCharge {
  readonly id: string;
  readonly orderId: string;
  readonly amountCents: number;
  readonly status: 'succeeded' | 'declined';
  readonly providerChargeId: string | null;
  readonly refundedAt: Date | null;
  readonly providerRefundId: string | null;
}

/** The service's charges, one per order. */
@Injectable()
export class ChargeLedger {
  constructor(@Inject(Database) private readonly db: Database<PrismaClient>) {}

  findByOrder(orderId: string): Promise<ChargeRecord | null> {
    return this.db.client.charge.findUnique({ where: { orderId } });
  }

  /**
   * Stores the provider's answer for the order and returns the order's charge. If another handler stored one
   * for the same order first, that one stays and is returned (the insert waits for it, then does nothing).
   */
  async record(charge: NewCharge): Promise<ChargeRecord> {
    const { outcome } = charge;
    const providerChargeId = outcome.status === 'succeeded' ? outcome.chargeId : null;
    const declineReason = outcome.status === 'declined' ? outcome.reason : null;
    // By hand: Prisma compiles a createMany anew on every call (docs/benchmarks.md), and RETURNING saves reading it back.
    const [inserted] = await this.db.client.$queryRaw<ChargeRecord[]>`
      INSERT INTO charge (id, order_id, amount_cents, currency, last4, status, provider_charge_id, decline_reason)
      VALUES (gen_random_uuid(), ${charge.orderId}::uuid, ${charge.amountCents}, ${charge.currency}::currency, ${charge.last4},
        ${outcome.status}::charge_status, ${providerChargeId}, ${declineReason})
      ON CONFLICT (order_id) DO NOTHING
      RETURNING id::text AS id, order_id::text AS "orderId", amount_cents AS "amountCents", status::text AS status,
        decline_reason AS "declineReason"`;
    return inserted ?? this.db.client.charge.findUniqueOrThrow({ where: { orderId: charge.orderId } });
  }

  async findForRefund(orderId: string): Promise<RefundableCharge | null> {
    return this.db.client.charge.findUnique({
      where: { orderId },
      select: {
        id: true,
        orderId: true,
        amountCents: true,
        status: true,
        providerChargeId: true,
        refundedAt: true,
        providerRefundId: true,
      },
    });
  }

  /**
   * Records the refund on a charge not refunded yet, and only then (true): of two handlers refunding the same
   * order at once, one records it and the other learns it was done (false).
   */
  async recordRefund(orderId: string, refund: { readonly refundId: string; readonly reason: string }): Promise<boolean> {
    const { count } = await this.db.client.charge.updateMany({
      where: { orderId, status: 'succeeded', refundedAt: null },
      data: { refundedAt: new Date(), providerRefundId: refund.refundId, refundReason: refund.reason },
    });
    return count === 1;
  }
}
