// The driver-adapter factory Prisma's wasm schema engine runs on: @prisma/adapter-pg 7.10.0 plus three shims.
// Each one was needed on PostgreSQL 18.4 with adapter-pg 7.10.0 and schema-engine-wasm 7.10.0-4.0edf323e: without
// it, the failure described under its number happens.
//
//  1. "char" (OID 18): the engine's catalog queries select pg_catalog columns of type "char" (relkind,
//     contype, ...). adapter-pg has no mapping for OID 18 and throws, and the engine fails with "Column type
//     'char' could not be deserialized from the database". Relabelling them as text is NOT enough: the schema
//     describer reads e.g. constraint_type with `as_char()` and panics on a Text value. So, in two halves:
//     (a) a pg.Client subclass (given to pg.Pool as its `Client`) relabels OID 18 fields as text (25), which
//     adapter-pg accepts (the values already are 1-char strings: pg has no parser for OID 18), and remembers
//     their positions keyed by the result's `rows` array, which adapter-pg passes through unchanged; (b) the
//     adapter's queryRaw (and its transactions') then reports those columns as ColumnTypeEnum.Character.
//
//  2. Shadow database: adapter-pg's connectToShadowDb() creates `prisma_migrate_shadow_db_<uuid>` but builds
//     its pool as `{ ...config, database }`; with a `connectionString` config pg lets the connection string
//     win, so the "shadow" pool talks to the MAIN database (a diff through it created tables there). Its
//     cleanup also drops the database before closing that pool. So: our own connectToShadowDb() creates a
//     database on the shadow server, opens a pool whose URL names it, and on dispose closes the pool, then
//     drops it WITH (FORCE). close() drops any the engine did not dispose.
//
//  3. executeScript: adapter-pg splits the script on ";" and runs the pieces one by one on any pooled
//     connection, outside a transaction: a failing 2nd statement left the 1st committed, and a ";" inside a
//     string, comment or $$ body broke the split. So: the whole script goes as ONE simple-protocol query
//     (executeRaw with no parameters makes pg use the simple protocol), which PostgreSQL runs as one implicit
//     transaction, and adapter-pg's error mapping is kept.
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQueryable,
} from '@prisma/driver-adapter-utils';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { postgresConnection, type PostgresConnectionSettings } from '../postgres/connection-options';
import { withDatabase } from '../postgres/database-url';

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** A pg result's rows array -> the indexes of its "char" columns (shim 1). */
const charColumnsByRows = new WeakMap<object, number[]>();

interface PgResultShape {
  fields?: Array<{ dataTypeID: number }>;
  rows?: object;
}

function relabelCharFields(result: unknown): unknown {
  const results = (Array.isArray(result) ? result : [result]) as Array<PgResultShape | undefined>;
  for (const one of results) {
    const indexes: number[] = [];
    (one?.fields ?? []).forEach((field, index) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        indexes.push(index);
      }
    });
    if (indexes.length > 0 && one?.rows) charColumnsByRows.set(one.rows, indexes);
  }
  return result;
}

/** Shim 1b: report the remembered "char" columns as ColumnTypeEnum.Character. */
function reportCharColumns<Q extends SqlQueryable>(queryable: Q): Q {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const resultSet = await queryRaw(query);
    for (const index of charColumnsByRows.get(resultSet.rows) ?? []) resultSet.columnTypes[index] = ColumnTypeEnum.Character;
    return resultSet;
  };
  return queryable;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

/** Shim 1a: a pg.Client whose results report "char" columns as text. */
export class CharAsTextClient extends pg.Client {}

type UntypedQuery = (this: pg.Client, ...args: unknown[]) => unknown;
const clientQuery = pg.Client.prototype.query as unknown as UntypedQuery;
// pg's query() has promise, callback and submittable forms; each result is relabelled on its way out.
CharAsTextClient.prototype.query = function query(this: pg.Client, ...args: unknown[]): unknown {
  const callbackAt = args.findIndex((arg) => typeof arg === 'function');
  if (callbackAt >= 0) {
    const callback = args[callbackAt] as (error: unknown, result: unknown) => void;
    args[callbackAt] = (error: unknown, result: unknown) => callback(error, error ? result : relabelCharFields(result));
    return clientQuery.apply(this, args);
  }
  const returned = clientQuery.apply(this, args);
  return isThenable(returned) ? returned.then(relabelCharFields) : returned;
} as pg.Client['query'];

export interface PgMigrationAdapterOptions {
  /** The database the engine works on (apply, status, the dev database of a first migration). */
  readonly databaseUrl: string;
  /**
   * Any database on a server where the role may CREATE DATABASE; each shadow database is a new one there.
   * Needed only by diff (from migrations) and createMigration.
   */
  readonly shadowServerUrl?: string;
  /** The password and TLS beside both URLs, for every connection (see postgresConnection). */
  readonly connection?: PostgresConnectionSettings;
}

export interface TemporaryDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export class PgMigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly pools = new Set<pg.Pool>();
  private readonly shadowDatabases = new Set<string>();

  constructor(private readonly options: PgMigrationAdapterOptions) {}

  connect(): Promise<SqlDriverAdapter> {
    return this.adapt(this.newPool(this.options.databaseUrl));
  }

  /** Shim 2: a real, fresh shadow database, dropped after use. */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const database = await this.createTemporaryDatabase('prisma_shadow_');
    this.shadowDatabases.add(database.name);
    return this.adapt(this.newPool(database.url), async () => {
      if (this.shadowDatabases.delete(database.name)) await database.drop();
    });
  }

  /** A new empty database on the shadow server. */
  async createTemporaryDatabase(prefix = 'prisma_tmp_'): Promise<TemporaryDatabase> {
    const serverUrl = this.options.shadowServerUrl;
    if (!serverUrl) throw new Error('this operation needs a shadow database server: pass shadowDatabaseUrl');
    const name = `${prefix}${randomUUID().replaceAll('-', '')}`;
    await this.adminQuery(`CREATE DATABASE "${name}"`);
    return { name, url: withDatabase(serverUrl, name), drop: () => this.adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
  }

  /** Ends every pool and drops the shadow databases the engine did not dispose of. */
  async close(): Promise<void> {
    const pools = [...this.pools];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.end()));
    for (const name of [...this.shadowDatabases]) {
      this.shadowDatabases.delete(name);
      await this.adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  }

  private newPool(url: string): pg.Pool {
    const pool = new pg.Pool({
      ...postgresConnection(url, this.options.connection),
      // The engine is single-threaded; a few connections cover its lock connection and its work.
      max: 4,
      Client: CharAsTextClient,
      application_name: 'stitch-migrate',
    });
    // An idle client's error (the server shutting down) must not become an uncaught 'error' event.
    pool.on('error', () => undefined);
    this.pools.add(pool);
    return pool;
  }

  private async adapt(pool: pg.Pool, onDispose?: () => Promise<void>): Promise<SqlDriverAdapter> {
    const adapter = reportCharColumns(await new PrismaPg(pool).connect());
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => reportCharColumns(await startTransaction(isolationLevel));
    adapter.executeScript = async (script: string) => {
      await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
    };
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      if (this.pools.delete(pool)) await pool.end();
      await onDispose?.();
    };
    return adapter;
  }

  private async adminQuery(sql: string): Promise<void> {
    if (!this.options.shadowServerUrl) throw new Error('this operation needs a shadow database server: pass shadowDatabaseUrl');
    const client = new pg.Client(postgresConnection(this.options.shadowServerUrl, this.options.connection));
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
