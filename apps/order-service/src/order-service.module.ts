import { Module, type DynamicModule } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { StitchMessagingModule, type StitchMessagingOptions } from '@stitch/messaging-core';
import { INBOX, OUTBOX_DISPATCHER, PersistenceModule } from '@stitch/persistence';
import path from 'node:path';
import { PrismaClient } from './generated/prisma/client';
import { OrdersModule } from './orders/orders.module';
import { UsersModule } from './users/users.module';

export interface OrderServiceOptions {
  /** The transports the service may run on; config (`MESSAGING_TRANSPORT`) picks one. */
  readonly transports: StitchMessagingOptions['transports'];
}

/**
 * The order service: its database (migrated at start), messaging through the outbox and inbox, and its
 * features. The transports come in as an option so a test can run the very same service on an in-memory one.
 */
@Module({})
export class OrderServiceModule {
  static forRoot(options: OrderServiceOptions): DynamicModule {
    const persistence = PersistenceModule.forRoot({
      service: Services.order,
      schemaPath: path.join(__dirname, '../prisma/schema'),
      migrationsDir: path.join(__dirname, '../prisma/migrations'),
      createClient: (url) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) }),
    });
    return {
      module: OrderServiceModule,
      imports: [
        StitchMessagingModule.forRoot({
          service: Services.order,
          catalogue: shopCatalogue,
          transports: options.transports,
          imports: [persistence],
          dispatcher: OUTBOX_DISPATCHER,
          handlerWrapper: INBOX,
        }),
        UsersModule,
        OrdersModule,
      ],
    };
  }
}
