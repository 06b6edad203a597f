export * from './database/prisma-client';
export * from './database/database';
export * from './database/permanent-database-error';
export * from './database/database-unavailable-error';
export * from './database/classify-database-error';
export * from './database/require-tables';
export * from './outbox/outbox-dispatcher';
export * from './outbox/outbox-relay';
export type { HandOff, OutboxRow } from './outbox/outbox-row';
export * from './inbox/inbox';
export * from './postgres/database-url';
export * from './postgres/connection-options';
export * from './postgres/ensure-database';
export * from './postgres/database-errors';
export * from './postgres/embedded-postgres';
export * from './migrations/apply-migrations';
export {
  diffSchemaAgainstMigrations,
  firstMigrationSql,
  type DiffSchemaOptions,
  type FirstMigrationSqlOptions,
} from './migrations/diff-schema';
export { MIGRATION_LOCKFILE, migrationLockfileContent, migrationTimestamp, readSchemaFiles } from './migrations/migration-files';
export * from './migrations/create-migration';
export * from './migrations/migration-status';
export * from './migrations/shared-schema';
export type { EngineLog } from './migrations/schema-engine';
export * from './nest/database.config';
export * from './nest/persistence.tokens';
export * from './nest/persistence.module';
export type { RelaySettings } from './nest/persistence.lifecycle';
export * from './nest/define-service';
