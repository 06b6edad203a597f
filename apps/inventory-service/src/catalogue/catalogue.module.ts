import { Module } from '@nestjs/common';
import { CatalogueSeeder } from './catalogue-seeder';
import { ProductsController } from './products.controller';

/** Products and their prices: seeded at start, read over HTTP. */
@Module({
  controllers: [ProductsController],
  providers: [CatalogueSeeder],
})
export class CatalogueModule {}
