import pg from 'pg';
import { serviceDatabaseName, withDatabase } from '../postgres/database-url';

/** Runs SQL on a service's own database (`stitch_<service>`) from outside the service, to check what it stored. */
export async function queryServiceDatabase<T extends pg.QueryResultRow>(
  serverUrl: string,
  service: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, serviceDatabaseName(service)) });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}
