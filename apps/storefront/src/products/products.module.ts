import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { storefrontConfig } from '../config/storefront.config';
import { InventoryClient } from './inventory.client';
import { ProductsController } from './products.controller';

@Module({
  imports: [ConfigModule.forFeature(storefrontConfig)],
  controllers: [ProductsController],
  providers: [InventoryClient],
  exports: [InventoryClient],
})
export class ProductsModule {}
