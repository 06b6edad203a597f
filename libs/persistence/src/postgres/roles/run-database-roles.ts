// The database roles applied from settings in the environment: what a job that runs beside a private server (an Azure
// Container Apps Job in its virtual network, from a service's own image) executes through main.ts.
import { ConfigError } from '@stitch/messaging-core';
import pg from 'pg';
import { applyDatabaseRoles } from './apply';
import { adminConnection, parseDatabaseRolesSettings } from './database-roles-settings';
import { planDatabaseRoles } from './plan';

export interface DatabaseRolesRun {
  readonly host: string;
  /** What was done, step by step: roles and databases named, never a password. */
  readonly done: readonly string[];
}

export interface RunDatabaseRolesOptions {
  /** Where the one line saying what was done goes; stdout by default. */
  readonly log?: (line: string) => void;
}

/**
 * Connects to the server as the admin and gives each service of DATABASE_ROLES its own login role, with its password,
 * owning its own database (see planDatabaseRoles). Settings are checked, and the plan made, before connecting: a
 * wrong setting changes nothing. Errors name variables, services and steps, never a password.
 */
export async function runDatabaseRoles(
  env: Record<string, string | undefined>,
  options: RunDatabaseRolesOptions = {},
): Promise<DatabaseRolesRun> {
  const log = options.log ?? ((line: string) => console.log(line));
  const settings = parseDatabaseRolesSettings(env);
  let plan: ReturnType<typeof planDatabaseRoles>;
  try {
    plan = planDatabaseRoles(settings.roles);
  } catch (error) {
    throw new ConfigError(`Invalid database-roles configuration: DATABASE_ROLES: ${(error as Error).message}`, { cause: error });
  }

  const client = new pg.Client(adminConnection(settings));
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot connect as "${settings.adminUser}" to the PostgreSQL server at ${settings.host}:${settings.port} (DATABASE_TLS=${settings.tls}): ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    const done = await applyDatabaseRoles(client, plan);
    log(JSON.stringify({ message: 'database roles applied', host: settings.host, done }));
    return { host: settings.host, done };
  } finally {
    await client.end();
  }
}
