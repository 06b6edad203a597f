import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { storefrontConfig } from '../config/storefront.config';
import { SessionModule } from '../session/session.module';
import { NotificationsController } from './notifications.controller';

@Module({ imports: [ConfigModule.forFeature(storefrontConfig), SessionModule], controllers: [NotificationsController] })
export class NotificationsModule {}
