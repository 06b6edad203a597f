import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';

const schema = z.object({
  /**
   * The PostgreSQL SERVER, e.g. postgresql://user:password@host:5432/postgres. Each service uses its own
   * database on it, `stitch_<name>`, and creates it when missing.
   */
  DATABASE_URL: z.url({
    protocol: /^postgres(ql)?$/,
    error: 'must be the PostgreSQL server URL, e.g. postgresql://user:password@127.0.0.1:5432/postgres',
  }),
  /** How long a starting replica waits for another one's migrations. */
  DATABASE_MIGRATION_LOCK_TIMEOUT_MS: z.coerce.number().int().min(1).default(60_000),
  /** How long a starting service waits for the server to answer its first connection. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
});

export const databaseConfig = registerAs('database', () => {
  const env = parseConfig('database', schema, process.env);
  return {
    serverUrl: env.DATABASE_URL,
    migrationLockTimeoutMs: env.DATABASE_MIGRATION_LOCK_TIMEOUT_MS,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
  };
});

export type DatabaseConfig = ConfigType<typeof databaseConfig>;
