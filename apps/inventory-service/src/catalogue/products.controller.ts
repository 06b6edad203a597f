import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { Database } from '@stitch/persistence';
import type { PrismaClient } from '../generated/prisma/client';

export interface ProductView {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly available: number;
}

const view = { sku: true, name: true, priceCents: true, available: true } as const;

/** The catalogue as a query: the storefront asks here for what it shows, prices and stock included. */
@Controller('products')
export class ProductsController {
  constructor(@Inject(Database) private readonly db: Database<PrismaClient>) {}

  @Get()
  async list(): Promise<ProductView[]> {
    const products = await this.db.client.product.findMany({ select: view });
    // Sorted here rather than by the database, whose collation (and so the order of dashes) depends on its locale.
    return products.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  }

  @Get(':sku')
  async one(@Param('sku') sku: string): Promise<ProductView> {
    const product = await this.db.client.product.findUnique({ where: { sku }, select: view });
    if (!product) throw new NotFoundException(`No product with SKU ${sku}`);
    return product;
  }
}
