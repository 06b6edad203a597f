import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { notificationConfig } from '../config/notification.config';
import { NotificationFeed } from './notification-feed';
import { NotificationHandlers } from './notification.handlers';
import { NotificationsController } from './notifications.controller';

@Module({
  imports: [ConfigModule.forFeature(notificationConfig)],
  controllers: [NotificationHandlers, NotificationsController],
  providers: [{ provide: NotificationFeed, useFactory: () => new NotificationFeed() }],
})
export class NotificationsModule {}
