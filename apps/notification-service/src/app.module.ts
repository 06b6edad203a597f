import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { defineService } from '@stitch/persistence';
import { PrismaClient } from './generated/prisma/client';
import { NotificationsModule } from './notifications/notifications.module';

/**
 * The notification service. It owns the notifications it makes (database `stitch_notification`): replicas compete
 * for the events, and every replica pushes every stored notification.
 */
export const NotificationService = defineService({
  service: Services.notification,
  catalogue: shopCatalogue,
  prisma: {
    dir: path.join(__dirname, '../prisma'),
    createClient: (adapter) => new PrismaClient({ adapter }),
  },
  imports: [NotificationsModule],
});
