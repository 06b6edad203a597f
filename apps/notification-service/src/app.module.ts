import path from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { StitchMessagingModule, type StitchMessagingOptions } from '@stitch/messaging-core';
import { shopTransports } from '@stitch/messaging-transports';
import { INBOX, OUTBOX_DISPATCHER, PersistenceModule } from '@stitch/persistence';
import { PrismaClient } from './generated/prisma/client';
import { NotificationsModule } from './notifications/notifications.module';

export interface NotificationServiceOptions {
  /** The transports the service can run on; tests hand in an in-memory one. */
  readonly transports: StitchMessagingOptions['transports'];
}

/**
 * The notification service, on the transports it is given. It owns the notifications it makes (database
 * `stitch_notification`): replicas compete for the events, and every replica pushes every stored notification.
 */
@Module({})
export class NotificationServiceModule {
  static forRoot(options: NotificationServiceOptions): DynamicModule {
    const persistence = PersistenceModule.forRoot({
      service: Services.notification,
      schemaPath: path.join(__dirname, '../prisma/schema'),
      migrationsDir: path.join(__dirname, '../prisma/migrations'),
      createClient: (url) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) }),
    });
    return {
      module: NotificationServiceModule,
      imports: [
        StitchMessagingModule.forRoot({
          service: Services.notification,
          catalogue: shopCatalogue,
          transports: options.transports,
          imports: [persistence],
          dispatcher: OUTBOX_DISPATCHER,
          handlerWrapper: INBOX,
        }),
        NotificationsModule,
      ],
    };
  }
}

/** The composition root the service runs with: every shop transport. */
@Module({ imports: [NotificationServiceModule.forRoot({ transports: shopTransports })] })
export class AppModule {}
