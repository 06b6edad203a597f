import { Module, type DynamicModule } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { ConfigModule } from '@nestjs/config';
import type { Envelope, HandlerWrapper, OutgoingDispatcher } from '@stitch/messaging-core';
import { Database, type DatabaseOptions } from '../database/database';
import type { PrismaClientLike } from '../database/prisma-client';
import { requirePersistenceTables } from '../database/require-tables';
import { applyMigrations } from '../migrations/apply-migrations';
import { OutboxDispatcher } from '../outbox/outbox-dispatcher';
import { serviceDatabaseName, withDatabase } from '../postgres/database-url';
import { databaseStartupFailure } from '../postgres/database-errors';
import { ensureDatabase } from '../postgres/ensure-database';
import { postgresConnection } from '../postgres/connection-options';
import { preparedStatementNames } from '../database/prepared-statements';
import { databaseConfig, type DatabaseConfig } from './database.config';
import { PersistenceLifecycle, RELAY_SETTINGS, type RelaySettings } from './persistence.lifecycle';
import { PersistenceParts, ready } from './persistence-parts';
import { INBOX, OUTBOX_DISPATCHER } from './persistence.tokens';

export interface PersistenceModuleOptions<TClient extends PrismaClientLike> {
  /** The service's name; its database is `stitch_<name>` (`order-service` -> `stitch_order`). */
  readonly service: string;
  /** The service's schema folder (with the stitch.prisma include its generate target writes), as the migrations were made from. */
  readonly schemaPath: string;
  readonly migrationsDir: string;
  /**
   * Builds the service's generated client on the adapter to its database: `(adapter) => new PrismaClient({ adapter })`.
   * The adapter's pg options carry the password and TLS settings beside DATABASE_URL, which a connection string would
   * lose, and its statements are prepared once per connection (DATABASE_PREPARED_STATEMENTS).
   */
  readonly createClient: (adapter: PrismaPg) => TClient;
  readonly transactions?: DatabaseOptions;
  readonly relay?: RelaySettings;
}

/**
 * A service's database: created when missing, migrated before anything can use it, and offered as
 * `Database<PrismaClient>` (inject it by class); the outbox (OUTBOX_DISPATCHER) and the inbox (INBOX) to hand
 * to StitchMessagingModule; the relay that sends the outbox, run from boot to shutdown.
 */
@Module({})
export class PersistenceModule {
  static forRoot<TClient extends PrismaClientLike>(options: PersistenceModuleOptions<TClient>): DynamicModule {
    const parts = new PersistenceParts();
    // StitchMessagingModule has its dispatcher and wrapper injected while it is being built, which can be before
    // the database (waiting for its migrations) exists. So these two are values that exist from the start and
    // forward to the real ones, which exist before any message or request is handled.
    const outbox: OutgoingDispatcher = { dispatch: (destination, message) => ready(parts.outbox, 'outbox').dispatch(destination, message) };
    const inbox: { wrap: HandlerWrapper } = { wrap: (envelope: Envelope, work) => ready(parts.inbox, 'inbox').wrap(envelope, work) };
    return {
      module: PersistenceModule,
      global: true,
      imports: [ConfigModule.forFeature(databaseConfig)],
      providers: [
        { provide: PersistenceParts, useValue: parts },
        { provide: RELAY_SETTINGS, useValue: options.relay ?? {} },
        { provide: OUTBOX_DISPATCHER, useValue: outbox },
        { provide: INBOX, useValue: inbox },
        {
          provide: Database,
          inject: [databaseConfig.KEY],
          useFactory: async (config: DatabaseConfig) => {
            const name = serviceDatabaseName(options.service);
            // The first connection: a server down or a login refused stops the service with one line saying so.
            const { connection } = config;
            await ensureDatabase(config.serverUrl, name, { connectTimeoutMs: config.connectTimeoutMs, connection }).catch(
              (error: unknown) => {
                throw (
                  databaseStartupFailure(error, config.serverUrl, name, { connectTimeoutMs: config.connectTimeoutMs, connection }) ?? error
                );
              },
            );
            const databaseUrl = withDatabase(config.serverUrl, name);
            const migrated = await applyMigrations({
              databaseUrl,
              connection,
              schemaPath: options.schemaPath,
              migrationsDir: options.migrationsDir,
              lockTimeoutMs: config.migrationLockTimeoutMs,
            });
            const client = options.createClient(
              new PrismaPg(postgresConnection(databaseUrl, connection), {
                ...(config.preparedStatements ? { statementNameGenerator: preparedStatementNames() } : {}),
              }),
            );
            await requirePersistenceTables(client).catch(async (error: unknown) => {
              await client.$disconnect();
              throw error;
            });
            const database = new Database(client, options.transactions);
            parts.appliedMigrationNames = migrated.appliedMigrationNames;
            parts.database = database;
            parts.outbox = new OutboxDispatcher(database, (rows) => parts.relay?.handOff(rows));
            return database;
          },
        },
        PersistenceLifecycle,
      ],
      exports: [Database, OUTBOX_DISPATCHER, INBOX],
    };
  }
}
