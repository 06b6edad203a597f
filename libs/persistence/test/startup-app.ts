/**
 * A service with a database, built as the apps build theirs, for the start-up tests: it starts (creating and
 * migrating its database) and stops at once, or fails the way every app with a database does.
 */
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { bootstrapService, HandleMessage, StitchMessagingModule } from '@stitch/messaging-core';
import { InMemoryTransport } from '@stitch/messaging-core/testing';
import { INBOX, OUTBOX_DISPATCHER, PersistenceModule } from '../src';
import { PrismaClient } from './generated/prisma/client';
import { testMigrationsDir, testSchemaPath } from './support/test-postgres';
import { DoIt, tinyCatalogue } from './support/tiny-catalogue';

@Controller()
class Handlers {
  @HandleMessage(DoIt)
  doIt(): void {
    // Never called: the app stops as soon as it has started.
  }
}

@Module({
  imports: [
    StitchMessagingModule.forRoot({
      service: 'a',
      catalogue: tinyCatalogue,
      transports: { local: () => new InMemoryTransport(tinyCatalogue.topology()) },
      imports: [
        PersistenceModule.forRoot({
          service: 'a',
          schemaPath: testSchemaPath,
          migrationsDir: testMigrationsDir,
          createClient: (adapter) => new PrismaClient({ adapter }),
        }),
      ],
      dispatcher: OUTBOX_DISPATCHER,
      handlerWrapper: INBOX,
    }),
  ],
  controllers: [Handlers],
})
class ServiceA {}

void bootstrapService(ServiceA, { defaultPort: 0 }).then(async (app) => {
  process.stdout.write('started\n');
  await app.close();
});
