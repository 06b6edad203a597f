import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { storefrontConfig } from '../config/storefront.config';
import { ProductsModule } from '../products/products.module';
import { OrderClient } from './order.client';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [ConfigModule.forFeature(storefrontConfig), ProductsModule],
  controllers: [OrdersController],
  providers: [OrdersService, OrderClient],
})
export class OrdersModule {}
