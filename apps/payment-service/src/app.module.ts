import path from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { StitchMessagingModule, type StitchMessagingOptions } from '@stitch/messaging-core';
import { INBOX, OUTBOX_DISPATCHER, PersistenceModule } from '@stitch/persistence';
import { ChargesModule } from './charges/charges.module';
import { PrismaClient } from './generated/prisma/client';

export interface PaymentServiceOptions {
  /** The transports the service can run on: the shop's in production, an in-memory one in tests. */
  readonly transports: StitchMessagingOptions['transports'];
}

/**
 * The payment service's composition root. Each call builds a fresh module (its own database client, outbox
 * relay and consumer), so a test can run two replicas of the service in one process.
 */
@Module({})
export class AppModule {
  static forRoot(options: PaymentServiceOptions): DynamicModule {
    const persistence = PersistenceModule.forRoot({
      service: Services.payment,
      schemaPath: path.join(__dirname, '../prisma/schema'),
      migrationsDir: path.join(__dirname, '../prisma/migrations'),
      createClient: (url) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) }),
    });
    return {
      module: AppModule,
      imports: [
        StitchMessagingModule.forRoot({
          service: Services.payment,
          catalogue: shopCatalogue,
          transports: options.transports,
          imports: [persistence],
          dispatcher: OUTBOX_DISPATCHER,
          handlerWrapper: INBOX,
        }),
        ChargesModule,
      ],
    };
  }
}
