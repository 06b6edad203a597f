import { Module, type DynamicModule } from '@nestjs/common';
import { Services, shopCatalogue } from '@stitch/contracts';
import { StitchMessagingModule, type StitchMessagingOptions } from '@stitch/messaging-core';
import { shopTransports } from '@stitch/messaging-transports';
import { NotificationsModule } from './notifications/notifications.module';

export interface NotificationServiceOptions {
  /** The transports the service can run on; tests hand in an in-memory one. */
  readonly transports: StitchMessagingOptions['transports'];
}

/**
 * The notification service, on the transports it is given. It owns no data, so it has no database, no outbox and
 * no inbox: what it does with a message (a push to whoever is connected) is gone the moment it is done.
 */
@Module({})
export class NotificationServiceModule {
  static forRoot(options: NotificationServiceOptions): DynamicModule {
    return {
      module: NotificationServiceModule,
      imports: [
        StitchMessagingModule.forRoot({ service: Services.notification, catalogue: shopCatalogue, transports: options.transports }),
        NotificationsModule,
      ],
    };
  }
}

/** The composition root the service runs with: every shop transport. */
@Module({ imports: [NotificationServiceModule.forRoot({ transports: shopTransports })] })
export class AppModule {}
