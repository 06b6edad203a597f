import pg from 'pg';
import { postgresConnection, type PostgresConnectionSettings } from './connection-options';

const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/**
 * Creates the database when it does not exist. Several processes may race here (replicas of one service
 * starting together): CREATE DATABASE has no IF NOT EXISTS, and the loser of a race gets either "already
 * exists" or, when both passed their check together, a unique violation on pg_database; both mean done.
 * `serverUrl` names any database the role may connect to; the role needs CREATEDB when it is missing. As the
 * first connection a service makes, it is where an unreachable server or a refused login shows.
 */
export async function ensureDatabase(
  serverUrl: string,
  name: string,
  options: { readonly connectTimeoutMs?: number; readonly connection?: PostgresConnectionSettings } = {},
): Promise<'created' | 'existed'> {
  const client = new pg.Client({
    ...postgresConnection(serverUrl, options.connection),
    application_name: 'stitch-ensure-database',
    // A server that accepts connections and never answers would otherwise hold the start for ever.
    ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) return 'existed';
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    return 'created';
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return 'existed';
    throw error;
  } finally {
    await client.end();
  }
}
