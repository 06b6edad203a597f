import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { storefrontConfig } from '../config/storefront.config';
import { ProductsModule } from '../products/products.module';
import { SessionModule } from '../session/session.module';
import { IdempotencyKeys } from './idempotency-keys';
import { OrderClient } from './order.client';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [ConfigModule.forFeature(storefrontConfig), ProductsModule, SessionModule],
  controllers: [OrdersController],
  providers: [OrdersService, OrderClient, IdempotencyKeys],
})
export class OrdersModule {}
