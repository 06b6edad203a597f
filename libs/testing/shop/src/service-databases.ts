import { databaseOwners } from '@stitch/manifest';
import { Client } from 'pg';

/** The services that own data, and their databases on the shared server, from the service manifest. */
export const dataOwners: Readonly<Record<string, string>> = Object.fromEntries(
  databaseOwners().map(({ service, database }) => [service, database]),
);

/** In every service's database; the rest of a database's tables are its service's own. */
const sharedTables = new Set(['_prisma_migrations', 'stitch_outbox', 'stitch_inbox']);

function urlOf(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The tables of every schema but PostgreSQL's own, as `schema.table`, in each database on the server. */
export async function tablesPerDatabase(serverUrl: string): Promise<Map<string, string[]>> {
  const databases = await withClient(serverUrl, async (client) =>
    (
      await client.query<{ datname: string }>('select datname from pg_database where datallowconn and not datistemplate order by 1')
    ).rows.map((row) => row.datname),
  );
  const tables = new Map<string, string[]>();
  for (const database of databases) {
    const rows = await withClient(
      urlOf(serverUrl, database),
      async (client) =>
        (
          await client.query<{ name: string }>(
            `select table_schema || '.' || table_name as name from information_schema.tables
            where table_schema not in ('pg_catalog', 'information_schema') order by 1`,
          )
        ).rows,
    );
    tables.set(
      database,
      rows.map((row) => row.name),
    );
  }
  return tables;
}

/** A table that is not one every service has; the schema prefix is dropped for `public`. */
export function ownTables(tables: readonly string[]): string[] {
  return tables.map((name) => name.replace(/^public\./, '')).filter((name) => !sharedTables.has(name));
}

/** An external test server starts each run without the shop's databases, so the test's numbers are exact. */
export async function dropShopDatabases(serverUrl: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname like 'stitch\\_%'`);
    for (const { datname } of rows) await client.query(`drop database "${datname.replace(/"/g, '""')}" with (force)`);
  });
}
