import path from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { StitchMessagingModule, type StitchMessagingOptions } from '@stitch/messaging-core';
import { shopTransports } from '@stitch/messaging-transports';
import { INBOX, OUTBOX_DISPATCHER, PersistenceModule } from '@stitch/persistence';
import { PrismaClient } from './generated/prisma/client';
import { SendingModule } from './sending/sending.module';

export interface EmailServiceOptions {
  /** The transports the service can run on; tests hand in an in-memory one. */
  readonly transports: StitchMessagingOptions['transports'];
}

/** The email service, on the transports it is given. */
@Module({})
export class EmailServiceModule {
  static forRoot(options: EmailServiceOptions): DynamicModule {
    const persistence = PersistenceModule.forRoot({
      service: Services.email,
      schemaPath: path.join(__dirname, '../prisma/schema'),
      migrationsDir: path.join(__dirname, '../prisma/migrations'),
      createClient: (url) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) }),
    });
    return {
      module: EmailServiceModule,
      imports: [
        StitchMessagingModule.forRoot({
          service: Services.email,
          catalogue: shopCatalogue,
          transports: options.transports,
          imports: [persistence],
          dispatcher: OUTBOX_DISPATCHER,
          handlerWrapper: INBOX,
        }),
        SendingModule,
      ],
    };
  }
}

/** The composition root the service runs with: every shop transport. */
@Module({ imports: [EmailServiceModule.forRoot({ transports: shopTransports })] })
export class AppModule {}
