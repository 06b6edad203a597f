import net from 'node:net';
import { ConfigError } from '@stitch/messaging-core';
import { runDatabaseRoles } from './run-database-roles';

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const role = (service: string, database: string) => ({
  service,
  database,
  username: service.replace(/-/g, '_'),
  passwordVariable: `${service.replace(/-/g, '_').toUpperCase()}_PASSWORD`,
});

describe('runDatabaseRoles', () => {
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
  });

  const env = (roles: unknown[]) => ({
    DATABASE_HOST: '127.0.0.1',
    DATABASE_PORT: String(port),
    DATABASE_ADMIN_USER: 'admin',
    DATABASE_ADMIN_PASSWORD: 'admin-secret-do-not-print',
    DATABASE_TLS: 'disable',
    DATABASE_ROLES: JSON.stringify(roles),
    ORDER_SERVICE_PASSWORD: 'order-secret',
    PAYMENT_SERVICE_PASSWORD: 'payment-secret',
  });

  it('refuses a list the plan refuses before connecting: two services on one database', async () => {
    const roles = [role('order-service', 'stitch_order'), role('payment-service', 'stitch_order')];
    const run = runDatabaseRoles(env(roles));
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(
      'Invalid database-roles configuration: DATABASE_ROLES: two services have the database "stitch_order": each service needs its own role and database',
    );
  });

  it('names the server, the admin and the TLS mode when it cannot connect, never the password', async () => {
    const run = runDatabaseRoles(env([role('order-service', 'stitch_order')]), { log: () => undefined });
    await expect(run).rejects.toThrow(
      new RegExp(
        `^cannot connect as "admin" to the PostgreSQL server at 127\\.0\\.0\\.1:${port} \\(DATABASE_TLS=disable\\): .*ECONNREFUSED`,
      ),
    );
    await expect(run).rejects.not.toThrow(/secret/);
  });
});
