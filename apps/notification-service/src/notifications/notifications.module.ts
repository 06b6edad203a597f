import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { databaseConfig } from '@stitch/persistence';
import { notificationConfig } from '../config/notification.config';
import { NotificationBackplane } from './notification-backplane';
import { NotificationFeed } from './notification-feed';
import { NotificationStore } from './notification-store';
import { NotificationHandlers } from './notification.handlers';
import { NotificationsController } from './notifications.controller';

@Module({
  imports: [ConfigModule.forFeature(notificationConfig), ConfigModule.forFeature(databaseConfig)],
  controllers: [NotificationHandlers, NotificationsController],
  providers: [
    NotificationStore,
    // Live from the newest notification stored at start: a replica pushes what is stored after it boots.
    {
      provide: NotificationFeed,
      inject: [NotificationStore],
      useFactory: async (store: NotificationStore) => new NotificationFeed(await store.lastSeq()),
    },
    NotificationBackplane,
  ],
})
export class NotificationsModule {}
