import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { defineService } from '@stitch/persistence';
import { PrismaClient } from './generated/prisma/client';
import { SendingModule } from './sending/sending.module';

/** The email service: the mail it was asked to send, sent once, on its own database (`stitch_email`). */
export const EmailService = defineService({
  service: Services.email,
  catalogue: shopCatalogue,
  prisma: {
    dir: path.join(__dirname, '../prisma'),
    createClient: (adapter) => new PrismaClient({ adapter }),
  },
  imports: [SendingModule],
});
