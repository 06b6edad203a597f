import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { defineService } from '@stitch/persistence';
import { PrismaClient } from './generated/prisma/client';
import { OrdersModule } from './orders/orders.module';
import { UsersModule } from './users/users.module';

/** The order service: the checkout saga and the users it knows, on its own database (`stitch_order`). */
export const OrderService = defineService({
  service: Services.order,
  catalogue: shopCatalogue,
  prisma: {
    dir: path.join(__dirname, '../prisma'),
    createClient: (adapter) => new PrismaClient({ adapter }),
  },
  imports: [UsersModule, OrdersModule],
});
