import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Database } from '@stitch/persistence';
import type { PrismaClient } from '../generated/prisma/client';
import { catalogueSeed } from './catalogue-seed';

/**
 * Stocks the starting catalogue when the service starts, before it takes any message or request. It only
 * inserts products that are missing (INSERT ... ON CONFLICT DO NOTHING), so replicas starting together are
 * safe and stock that orders have already changed is never reset.
 */
@Injectable()
export class CatalogueSeeder implements OnModuleInit {
  private readonly logger = new Logger(CatalogueSeeder.name);

  constructor(@Inject(Database) private readonly db: Database<PrismaClient>) {}

  async onModuleInit(): Promise<void> {
    const { count } = await this.db.client.product.createMany({ data: [...catalogueSeed], skipDuplicates: true });
    if (count > 0) this.logger.log(`stocked ${count} new products`);
  }
}
