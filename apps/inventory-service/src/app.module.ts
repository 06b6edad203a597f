import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { defineService } from '@stitch/persistence';
import { PrismaClient } from './generated/prisma/client';
import { CatalogueModule } from './catalogue/catalogue.module';
import { StockModule } from './stock/stock.module';

/** The inventory service: the catalogue and its stock, on its own database (`stitch_inventory`). */
export const InventoryService = defineService({
  service: Services.inventory,
  catalogue: shopCatalogue,
  prisma: {
    dir: path.join(__dirname, '../prisma'),
    createClient: (adapter) => new PrismaClient({ adapter }),
  },
  imports: [CatalogueModule, StockModule],
});
