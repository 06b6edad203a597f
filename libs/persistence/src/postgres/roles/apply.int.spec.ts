// The database roles applied to a real PostgreSQL (the embedded one), by a superuser here where RDS has its master user.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestPostgres, type TestPostgres } from '../../../test/support/test-postgres';
import { applyDatabaseRoles } from './apply';
import { databaseRoleName, planDatabaseRoles, type DatabaseRole } from './plan';

const password = () => randomBytes(24).toString('base64url');
const roleOf = (service: string, database: string): DatabaseRole => ({
  service,
  database,
  username: databaseRoleName(service),
  password: password(),
});

describe('database roles on a PostgreSQL server', () => {
  let server: TestPostgres;
  let port: number;

  beforeAll(async () => {
    server = await startTestPostgres();
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server?.stop());

  async function connected<T>(user: string, secret: string, database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ host: '127.0.0.1', port, user, password: secret, database });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  const asAdmin = <T>(work: (client: pg.Client) => Promise<T>) => {
    const { username, password: adminPassword } = new URL(server.url);
    return connected(username, decodeURIComponent(adminPassword), 'postgres', work);
  };
  const apply = (roles: DatabaseRole[]) => asAdmin((client) => applyDatabaseRoles(client, planDatabaseRoles(roles)));
  const as = <T>(role: DatabaseRole, database: string, work: (client: pg.Client) => Promise<T>) =>
    connected(role.username, role.password, database, work);

  it('gives each service a login role that owns its database, may work there, and may neither enter another nor create one', async () => {
    const order = roleOf('order-service', 'stitch_order');
    const payment = roleOf('payment-service', 'stitch_payment');
    const done = await apply([order, payment]);
    expect(done).toContain('database stitch_order: created, or given, owned by order_service');

    for (const [role, other] of [
      [order, payment],
      [payment, order],
    ] as const) {
      const rows = await as(role, role.database, async (client) => {
        await client.query('CREATE TABLE work (id int PRIMARY KEY)');
        await client.query('INSERT INTO work VALUES (1)');
        return (await client.query('SELECT id FROM work')).rows;
      });
      expect(rows).toEqual([{ id: 1 }]);
      await expect(as(role, other.database, async () => undefined)).rejects.toMatchObject({
        code: '42501',
        message: expect.stringContaining(`permission denied for database "${other.database}"`),
      });
      await expect(as(role, 'postgres', (client) => client.query('CREATE DATABASE stolen'))).rejects.toMatchObject({
        code: '42501',
        message: 'permission denied to create database',
      });
    }

    const attributes = await asAdmin((client) =>
      client.query(
        `SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,
                (SELECT datname FROM pg_database WHERE datdba = pg_roles.oid) AS owns
           FROM pg_roles WHERE rolname IN ('order_service', 'payment_service') ORDER BY rolname`,
      ),
    );
    const only = {
      rolcanlogin: true,
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolreplication: false,
      rolbypassrls: false,
    };
    expect(attributes.rows).toEqual([
      { rolname: 'order_service', ...only, owns: 'stitch_order' },
      { rolname: 'payment_service', ...only, owns: 'stitch_payment' },
    ]);
  });

  it('applies again over what it made: the data stays, and the new password replaces the old one', async () => {
    const inventory = roleOf('inventory-service', 'stitch_inventory');
    const email = roleOf('email-service', 'stitch_email');
    await apply([inventory, email]);
    await as(inventory, inventory.database, (client) =>
      client.query(`CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`),
    );

    const rotated = { ...inventory, password: password() };
    await apply([rotated, { ...email, password: password() }]);
    await apply([rotated, { ...email, password: password() }]);

    expect(await as(rotated, rotated.database, async (client) => (await client.query('SELECT note FROM kept')).rows)).toEqual([
      { note: 'still here' },
    ]);
    await expect(as(inventory, inventory.database, async () => undefined)).rejects.toMatchObject({ code: '28P01' });
  });

  it('stores only the password verifier it sent, which the server hashed no differently', async () => {
    const storefront = roleOf('storefront', 'stitch_storefront');
    await apply([storefront]);
    const stored = await asAdmin(
      async (client) =>
        (await client.query<{ rolpassword: string }>(`SELECT rolpassword FROM pg_authid WHERE rolname = 'storefront'`)).rows[0],
    );
    expect(stored?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(stored?.rolpassword).not.toContain(storefront.password);
    expect(await as(storefront, storefront.database, async (client) => (await client.query('SELECT current_user AS me')).rows)).toEqual([
      { me: 'storefront' },
    ]);
  });
});
