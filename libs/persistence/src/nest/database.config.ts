import { registerAs, type ConfigType } from '@nestjs/config';
import { parseConfig } from '@stitch/messaging-core';
import { z } from 'zod';
import { DATABASE_TLS_CAS, unverifiedTlsInUrl, type PostgresConnectionSettings } from '../postgres/connection-options';

const schema = z
  .object({
    /**
     * The PostgreSQL SERVER, e.g. postgresql://user:password@host:5432/postgres. Each service uses its own
     * database on it, `stitch_<name>`, and creates it when missing.
     */
    DATABASE_URL: z.url({
      protocol: /^postgres(ql)?$/,
      error: 'must be the PostgreSQL server URL, e.g. postgresql://user:password@127.0.0.1:5432/postgres',
    }),
    /**
     * The password of the user DATABASE_URL names, when the URL holds none: a deployment passes the URL as plain
     * configuration and only this from its secret store.
     */
    DATABASE_PASSWORD: z.string({ error: 'must be the password of the user DATABASE_URL names' }).min(1).optional(),
    /** Connect with TLS only, verifying the server's certificate against this CA list. */
    DATABASE_TLS_CA: z.enum(DATABASE_TLS_CAS, { error: `must be one of ${DATABASE_TLS_CAS.join(', ')}, or unset` }).optional(),
    /** How long a starting replica waits for another one's migrations. */
    DATABASE_MIGRATION_LOCK_TIMEOUT_MS: z.coerce.number().int().min(1).default(60_000),
    /** How long a starting service waits for the server to answer its first connection. */
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    /**
     * Each connection has the server parse and plan a statement once and reuses it. `off` behind a pooler in
     * transaction mode that cannot keep prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
     */
    DATABASE_PREPARED_STATEMENTS: z
      .enum(['on', 'off'], { error: 'must be on or off' })
      .default('on')
      .transform((value) => value === 'on'),
  })
  .superRefine((env, context) => {
    // Zod runs this even when DATABASE_URL failed above, which has said so already.
    if (!URL.canParse(env.DATABASE_URL)) return;
    // Messages name the variables, never their values: both may hold a password.
    const url = new URL(env.DATABASE_URL);
    if (env.DATABASE_PASSWORD !== undefined && url.password)
      context.addIssue({
        code: 'custom',
        path: ['DATABASE_PASSWORD'],
        message: 'DATABASE_URL holds a password too: give the password in DATABASE_URL or in DATABASE_PASSWORD, not both',
      });
    if (env.DATABASE_PASSWORD !== undefined && !url.username)
      context.addIssue({
        code: 'custom',
        path: ['DATABASE_PASSWORD'],
        message: 'is the password of the user DATABASE_URL names, and DATABASE_URL names no user',
      });
    const unverified = env.DATABASE_TLS_CA ? unverifiedTlsInUrl(env.DATABASE_URL) : undefined;
    if (unverified)
      context.addIssue({
        code: 'custom',
        path: ['DATABASE_TLS_CA'],
        message: `asks for verified TLS, and DATABASE_URL turns it off with ${unverified}: remove that from DATABASE_URL`,
      });
  });

export const databaseConfig = registerAs('database', () => {
  const env = parseConfig('database', schema, process.env);
  const connection: PostgresConnectionSettings = {
    ...(env.DATABASE_PASSWORD === undefined ? {} : { password: env.DATABASE_PASSWORD }),
    ...(env.DATABASE_TLS_CA === undefined ? {} : { tlsCa: env.DATABASE_TLS_CA }),
  };
  return {
    serverUrl: env.DATABASE_URL,
    /** The password and TLS every connection to the server takes beside the URL (see postgresConnection). */
    connection,
    migrationLockTimeoutMs: env.DATABASE_MIGRATION_LOCK_TIMEOUT_MS,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
  };
});

export type DatabaseConfig = ConfigType<typeof databaseConfig>;
