// What the database-roles runner (main.ts) takes from its environment: the server, the user that creates the roles,
// and each service's role with the variable its password is in, so that every password can come from a secret store
// of its own (a Key Vault reference, an ECS secret) and none is ever written in the list itself.
import { ConfigError, parseConfig } from '@stitch/messaging-core';
import type pg from 'pg';
import { z } from 'zod';
import type { DatabaseRole } from './plan';
import { isVerifiablePassword } from './scram-verifier';

/** How the runner reaches the server: verified TLS, or (on a test's own machine) none. */
export const DATABASE_TLS_MODES = ['verify-full', 'disable'] as const;
export type DatabaseTlsMode = (typeof DATABASE_TLS_MODES)[number];

const ROLE_SHAPE = '{ "service", "database", "username", "passwordVariable" }';
const ENVIRONMENT_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const role = z.strictObject(
  {
    service: z.string({ error: "must be the service's name, e.g. order-service" }).min(1, 'must not be empty'),
    database: z.string({ error: 'must be the database the service owns, e.g. stitch_order' }).min(1, 'must not be empty'),
    username: z.string({ error: "must be the service's login role, e.g. order_service" }).min(1, 'must not be empty'),
    passwordVariable: z
      .string({ error: 'must name the environment variable that holds the password, e.g. ORDER_SERVICE_DATABASE_PASSWORD' })
      .regex(ENVIRONMENT_VARIABLE, 'must be the name of an environment variable: letters, digits and "_", not starting with a digit'),
  },
  {
    // Each key is listed, never its value: a password pasted into the list must not reach the log.
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has ${issue.keys.map((key) => `"${key}"`).join(', ')}, which a role has not: each is ${ROLE_SHAPE}, its password in the variable passwordVariable names`
        : `must be an object ${ROLE_SHAPE}`,
  },
);

const roles = z
  .string({ error: `is required: a JSON array of ${ROLE_SHAPE}` })
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // JSON.parse's message quotes the text.
      context.addIssue({ code: 'custom', message: `is not JSON: it must be a JSON array of ${ROLE_SHAPE}` });
      return z.NEVER;
    }
  })
  .pipe(z.array(role, { error: `must be a JSON array of ${ROLE_SHAPE}` }).min(1, 'lists no service: nothing would be done'));

const schema = z.object({
  DATABASE_HOST: z.string({ error: "is required: the PostgreSQL server's host name" }).min(1, 'must not be empty'),
  DATABASE_PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a port number')
    .min(1, 'must be a port number, 1 to 65535')
    .max(65535, 'must be a port number, 1 to 65535')
    .default(5432),
  DATABASE_ADMIN_USER: z.string({ error: 'is required: the user that creates the roles and databases' }).min(1, 'must not be empty'),
  DATABASE_ADMIN_PASSWORD: z.string({ error: "is required: DATABASE_ADMIN_USER's password" }).min(1, 'must not be empty'),
  DATABASE_ADMIN_DATABASE: z.string().min(1, 'must not be empty').default('postgres'),
  DATABASE_TLS: z.enum(DATABASE_TLS_MODES, { error: `must be ${DATABASE_TLS_MODES.join(' or ')}` }).default('verify-full'),
  DATABASE_ROLES: roles,
});

export interface DatabaseRolesSettings {
  readonly host: string;
  readonly port: number;
  readonly adminUser: string;
  readonly adminPassword: string;
  /** The database the admin connects to; CREATE DATABASE and CREATE ROLE work from any. */
  readonly adminDatabase: string;
  readonly tls: DatabaseTlsMode;
  /** Each service's role, with the password read from its variable. */
  readonly roles: readonly DatabaseRole[];
}

/**
 * The settings in `env`, or a ConfigError naming every variable that is missing or wrong (the variables, never what
 * they hold). A role's password variable is looked up once the list itself is valid.
 */
export function parseDatabaseRolesSettings(env: Record<string, string | undefined>): DatabaseRolesSettings {
  const parsed = parseConfig('database-roles', schema, env);
  const problems: string[] = [];
  const withPasswords = parsed.DATABASE_ROLES.map(({ passwordVariable, ...entry }) => {
    const password = env[passwordVariable];
    if (!password) problems.push(`${passwordVariable}: is not set, and holds the password of ${entry.service} (DATABASE_ROLES)`);
    else if (!isVerifiablePassword(password))
      problems.push(`${passwordVariable}: the password of ${entry.service} must be printable ASCII characters`);
    return { ...entry, password: password ?? '' };
  });
  if (problems.length > 0) throw new ConfigError(`Invalid database-roles configuration: ${problems.join('; ')}`);
  return {
    host: parsed.DATABASE_HOST,
    port: parsed.DATABASE_PORT,
    adminUser: parsed.DATABASE_ADMIN_USER,
    adminPassword: parsed.DATABASE_ADMIN_PASSWORD,
    adminDatabase: parsed.DATABASE_ADMIN_DATABASE,
    tls: parsed.DATABASE_TLS,
    roles: withPasswords,
  };
}

/**
 * The admin's connection. Every field is set, so nothing comes from pg's own PG* variables (PGSSLMODE could weaken
 * TLS). verify-full: TLS required, the certificate checked against Node's CA store and for DATABASE_HOST (pg hands
 * the host to the TLS check); managed servers' certificates (Azure's, for one) chain to public roots.
 */
export function adminConnection(settings: DatabaseRolesSettings): pg.ClientConfig {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.adminUser,
    password: settings.adminPassword,
    database: settings.adminDatabase,
    ssl: settings.tls === 'verify-full' ? { rejectUnauthorized: true } : false,
    application_name: 'stitch-database-roles',
    connectionTimeoutMillis: 20_000,
  };
}
