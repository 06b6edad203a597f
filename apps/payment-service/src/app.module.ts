import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { defineService } from '@stitch/persistence';
import { PrismaClient } from './generated/prisma/client';
import { ChargesModule } from './charges/charges.module';

/** The payment service: charges and refunds, on its own database (`stitch_payment`). */
export const PaymentService = defineService({
  service: Services.payment,
  catalogue: shopCatalogue,
  prisma: {
    dir: path.join(__dirname, '../prisma'),
    createClient: (adapter) => new PrismaClient({ adapter }),
  },
  imports: [ChargesModule],
});
