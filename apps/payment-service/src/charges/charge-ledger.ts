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
    await this.db.client.charge.createMany({
      data: [
        {
          orderId: charge.orderId,
          amountCents: charge.amountCents,
          currency: charge.currency,
          last4: charge.last4,
          status: outcome.status,
          ...(outcome.status === 'succeeded' ? { providerChargeId: outcome.chargeId } : { declineReason: outcome.reason }),
        },
      ],
      skipDuplicates: true,
    });
    return this.db.client.charge.findUniqueOrThrow({ where: { orderId: charge.orderId } });
  }
}
