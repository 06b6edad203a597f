import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { storefrontConfig } from '../config/storefront.config';
import { NotificationsController } from './notifications.controller';

@Module({ imports: [ConfigModule.forFeature(storefrontConfig)], controllers: [NotificationsController] })
export class NotificationsModule {}
