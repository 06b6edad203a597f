import { databaseRoleName, planDatabaseRoles, type DatabaseRole } from './plan';
import { scramSha256Verifier } from './scram-verifier';

const SALT = Buffer.alloc(16, 7);
const order: DatabaseRole = { service: 'order-service', database: 'stitch_order', username: 'order_service', password: 'correct horse' };

describe('databaseRoleName', () => {
  it('is the service name with dashes as underscores', () => {
    expect(databaseRoleName('order-service')).toBe('order_service');
    expect(databaseRoleName('storefront')).toBe('storefront');
  });
});

describe('planDatabaseRoles', () => {
  it('creates the role or sets its password, hands it its database, and lets only it connect, in that order', () => {
    const verifier = scramSha256Verifier(order.password, SALT);
    const attributes = `WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD '${verifier}'`;
    expect(planDatabaseRoles([order], { salt: () => SALT })).toEqual([
      {
        description: 'role order_service of order-service: created, or its password set',
        sql: `CREATE ROLE "order_service" ${attributes}`,
        ifExists: {
          sql: 'SELECT 1 FROM pg_roles WHERE rolname = $1',
          values: ['order_service'],
          whenExists: `ALTER ROLE "order_service" ${attributes}`,
        },
      },
      {
        description: 'order_service granted to the applying user, who hands it its database',
        sql: 'GRANT "order_service" TO CURRENT_USER',
      },
      {
        description: 'database stitch_order: created, or given, owned by order_service',
        sql: 'CREATE DATABASE "stitch_order" OWNER "order_service"',
        ifExists: {
          sql: 'SELECT 1 FROM pg_database WHERE datname = $1',
          values: ['stitch_order'],
          whenExists: 'ALTER DATABASE "stitch_order" OWNER TO "order_service"',
        },
      },
      { description: 'no role but its owner may connect to stitch_order', sql: 'REVOKE CONNECT ON DATABASE "stitch_order" FROM PUBLIC' },
      { description: 'order_service may connect to stitch_order', sql: 'GRANT CONNECT ON DATABASE "stitch_order" TO "order_service"' },
    ]);
  });

  it('quotes names as identifiers and keeps them out of the SQL text of existence checks', () => {
    const odd: DatabaseRole = { service: 'odd', database: 'db"; DROP DATABASE x; --', username: `o'dd"role`, password: 'pw' };
    const plan = planDatabaseRoles([odd]);
    expect(plan[0]?.sql).toMatch(/^CREATE ROLE "o'dd""role" WITH /);
    expect(plan[2]?.sql).toBe('CREATE DATABASE "db""; DROP DATABASE x; --" OWNER "o\'dd""role"');
    expect(plan[2]?.ifExists?.values).toEqual(['db"; DROP DATABASE x; --']);
  });

  it('never puts a password into a statement or a description, only its verifier', () => {
    const secret = `it's "a" \\ secret`;
    const plan = planDatabaseRoles([{ ...order, password: secret }]);
    for (const statement of plan) {
      for (const text of [statement.sql, statement.description, statement.ifExists?.whenExists ?? '']) expect(text).not.toContain(secret);
    }
    expect(plan[0]?.sql).toMatch(/PASSWORD 'SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+'$/);
  });

  it('salts each run afresh unless told otherwise', () => {
    expect(planDatabaseRoles([order])[0]?.sql).not.toBe(planDatabaseRoles([order])[0]?.sql);
  });

  it('refuses two services on one database or role, and names PostgreSQL would cut short', () => {
    const payment = { service: 'payment-service', database: 'stitch_payment', username: 'payment_service', password: 'x' };
    expect(() => planDatabaseRoles([order, { ...payment, database: 'stitch_order' }])).toThrow(
      'two services have the database "stitch_order": each service needs its own role and database',
    );
    expect(() => planDatabaseRoles([order, { ...payment, username: 'order_service' }])).toThrow(
      /two services have the username "order_service"/,
    );
    expect(() => planDatabaseRoles([{ ...order, database: `stitch_${'x'.repeat(60)}` }])).toThrow(
      /is no PostgreSQL identifier: 1 to 63 bytes/,
    );
  });

  it('refuses a password that is not printable ASCII, without showing it', () => {
    expect(() => planDatabaseRoles([{ ...order, password: 'pässwort' }])).toThrow(
      'a database role password must be printable ASCII characters, and not empty',
    );
    expect(() => planDatabaseRoles([{ ...order, password: '' }])).toThrow(/printable ASCII/);
  });
});
