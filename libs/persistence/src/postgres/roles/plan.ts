import { escapeIdentifier, escapeLiteral } from 'pg';
import { scramSha256Verifier } from './scram-verifier';

/** One service's login role, its password, and the database it owns alone. */
export interface DatabaseRole {
  /** The service, e.g. `order-service`. */
  readonly service: string;
  /** Its database, e.g. `stitch_order`. */
  readonly database: string;
  /** Its login role, `databaseRoleName(service)`. */
  readonly username: string;
  readonly password: string;
}

/**
 * One step of a plan. With `ifExists`, the step first runs that query: `sql` runs when it finds no row and `whenExists`
 * when it finds one. A check and a statement rather than a DO block, because CREATE DATABASE cannot run in one (nor
 * in a transaction).
 */
export interface PlannedStatement {
  /** What the step does, for the log: it names roles and databases, never a password. */
  readonly description: string;
  readonly sql: string;
  readonly ifExists?: { readonly sql: string; readonly values: readonly string[]; readonly whenExists: string };
}

const MAX_IDENTIFIER_BYTES = 63;

/** A service's PostgreSQL login role: `order-service` -> `order_service`. */
export function databaseRoleName(service: string): string {
  return service.replace(/-/g, '_');
}

export interface PlanOptions {
  /** The salt of each role's password verifier; random unless a test fixes it. */
  readonly salt?: (role: DatabaseRole) => Buffer;
}

/**
 * The statements that give each service its own login role owning its own database, which no other role (PUBLIC)
 * may connect to. Every step holds whether or not an earlier run made its object, so applying the plan again is safe
 * and sets each role's current password. The roles get neither CREATEDB nor CREATEROLE, nor SUPERUSER, REPLICATION or
 * BYPASSRLS (PostgreSQL's defaults, which only a superuser could change, and RDS's master user is none).
 */
export function planDatabaseRoles(roles: readonly DatabaseRole[], options: PlanOptions = {}): PlannedStatement[] {
  requireDistinct(roles);
  return roles.flatMap((role) => {
    const user = escapeIdentifier(role.username);
    const database = escapeIdentifier(role.database);
    // Sent as its SCRAM verifier: the password itself never reaches the server or its logs.
    const password = escapeLiteral(scramSha256Verifier(role.password, options.salt?.(role)));
    const attributes = `WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD ${password}`;
    return [
      {
        description: `role ${role.username} of ${role.service}: created, or its password set`,
        sql: `CREATE ROLE ${user} ${attributes}`,
        ifExists: {
          sql: 'SELECT 1 FROM pg_roles WHERE rolname = $1',
          values: [role.username],
          whenExists: `ALTER ROLE ${user} ${attributes}`,
        },
      },
      {
        // CREATE DATABASE ... OWNER and ALTER DATABASE ... OWNER TO need the applying user to be able to SET ROLE to the
        // owner, which a creator that is no superuser (RDS's master user, on PostgreSQL 16 and later) is not by default.
        description: `${role.username} granted to the applying user, who hands it its database`,
        sql: `GRANT ${user} TO CURRENT_USER`,
      },
      {
        description: `database ${role.database}: created, or given, owned by ${role.username}`,
        sql: `CREATE DATABASE ${database} OWNER ${user}`,
        ifExists: {
          sql: 'SELECT 1 FROM pg_database WHERE datname = $1',
          values: [role.database],
          whenExists: `ALTER DATABASE ${database} OWNER TO ${user}`,
        },
      },
      { description: `no role but its owner may connect to ${role.database}`, sql: `REVOKE CONNECT ON DATABASE ${database} FROM PUBLIC` },
      { description: `${role.username} may connect to ${role.database}`, sql: `GRANT CONNECT ON DATABASE ${database} TO ${user}` },
    ];
  });
}

function requireDistinct(roles: readonly DatabaseRole[]): void {
  for (const key of ['service', 'username', 'database'] as const) {
    const seen = new Set<string>();
    for (const role of roles) {
      if (seen.has(role[key])) throw new Error(`two services have the ${key} "${role[key]}": each service needs its own role and database`);
      seen.add(role[key]);
    }
  }
  for (const role of roles)
    for (const name of [role.username, role.database])
      // PostgreSQL would cut a longer name short, and two services could end up with the same one.
      if (!name || Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES)
        throw new Error(`"${name}" of ${role.service} is no PostgreSQL identifier: 1 to ${MAX_IDENTIFIER_BYTES} bytes`);
}
