import { ConfigError } from '@stitch/messaging-core';
import { adminConnection, parseDatabaseRolesSettings } from './database-roles-settings';

const ADMIN_PASSWORD = 'admin-secret-do-not-print';
const ORDER_PASSWORD = 'order-secret-do-not-print';

const ORDER = { service: 'order-service', database: 'stitch_order', username: 'order_service', passwordVariable: 'ORDER_DB_PASSWORD' };

function env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DATABASE_HOST: 'stitch.postgres.database.azure.com',
    DATABASE_ADMIN_USER: 'stitchadmin',
    DATABASE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    DATABASE_ROLES: JSON.stringify([ORDER]),
    ORDER_DB_PASSWORD: ORDER_PASSWORD,
    ...overrides,
  };
}

/** The ConfigError `parseDatabaseRolesSettings` throws for `input`; fails the test when it throws none. */
function refusal(input: Record<string, string | undefined>): ConfigError {
  try {
    parseDatabaseRolesSettings(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    for (const secret of [ADMIN_PASSWORD, ORDER_PASSWORD]) expect((error as Error).message).not.toContain(secret);
    return error as ConfigError;
  }
  throw new Error('the settings were accepted');
}

describe('parseDatabaseRolesSettings', () => {
  it('reads the server, the admin and each role with the password its variable holds, with TLS verified by default', () => {
    expect(parseDatabaseRolesSettings(env())).toEqual({
      host: 'stitch.postgres.database.azure.com',
      port: 5432,
      adminUser: 'stitchadmin',
      adminPassword: ADMIN_PASSWORD,
      adminDatabase: 'postgres',
      tls: 'verify-full',
      roles: [{ service: 'order-service', database: 'stitch_order', username: 'order_service', password: ORDER_PASSWORD }],
    });
  });

  it('takes the port, the admin database and TLS off when given', () => {
    expect(
      parseDatabaseRolesSettings(env({ DATABASE_PORT: '6432', DATABASE_ADMIN_DATABASE: 'azure_maintenance', DATABASE_TLS: 'disable' })),
    ).toMatchObject({ port: 6432, adminDatabase: 'azure_maintenance', tls: 'disable' });
  });

  it('names every required variable that is missing', () => {
    expect(refusal({}).message).toBe(
      'Invalid database-roles configuration: ' +
        [
          "DATABASE_HOST: is required: the PostgreSQL server's host name",
          'DATABASE_ADMIN_USER: is required: the user that creates the roles and databases',
          "DATABASE_ADMIN_PASSWORD: is required: DATABASE_ADMIN_USER's password",
          'DATABASE_ROLES: is required: a JSON array of { "service", "database", "username", "passwordVariable" }',
        ].join('; '),
    );
  });

  it.each([
    [{ DATABASE_PORT: 'five' }, 'DATABASE_PORT: must be a port number'],
    [{ DATABASE_PORT: '70000' }, 'DATABASE_PORT: must be a port number, 1 to 65535'],
    [{ DATABASE_TLS: 'require' }, 'DATABASE_TLS: must be verify-full or disable'],
    [{ DATABASE_ADMIN_PASSWORD: '' }, 'DATABASE_ADMIN_PASSWORD: must not be empty'],
  ])('refuses %j', (overrides, problem) => {
    expect(refusal(env(overrides)).message).toBe(`Invalid database-roles configuration: ${problem}`);
  });

  it.each([
    ['text that is not JSON', '[{ service: order-service }]', 'DATABASE_ROLES: is not JSON'],
    ['an object instead of an array', JSON.stringify(ORDER), 'DATABASE_ROLES: must be a JSON array of'],
    ['an empty list', '[]', 'DATABASE_ROLES: lists no service: nothing would be done'],
    [
      'a role without its username',
      JSON.stringify([{ ...ORDER, username: undefined }]),
      "DATABASE_ROLES.0.username: must be the service's login role",
    ],
    [
      'a password variable that is no variable name',
      JSON.stringify([{ ...ORDER, passwordVariable: 'order password' }]),
      'DATABASE_ROLES.0.passwordVariable: must be the name of an environment variable',
    ],
  ])('refuses DATABASE_ROLES holding %s', (_, roles, problem) => {
    expect(refusal(env({ DATABASE_ROLES: roles })).message).toContain(`Invalid database-roles configuration: ${problem}`);
  });

  it('refuses a password written into DATABASE_ROLES, naming the key and never its value', () => {
    const { message } = refusal(env({ DATABASE_ROLES: JSON.stringify([{ ...ORDER, password: ORDER_PASSWORD }]) }));
    expect(message).toBe(
      'Invalid database-roles configuration: DATABASE_ROLES.0: has "password", which a role has not: each is ' +
        '{ "service", "database", "username", "passwordVariable" }, its password in the variable passwordVariable names',
    );
  });

  it('names the service and the variable when a password variable is unset or empty', () => {
    const payment = {
      service: 'payment-service',
      database: 'stitch_payment',
      username: 'payment_service',
      passwordVariable: 'PAYMENT_DB_PASSWORD',
    };
    const { message } = refusal(env({ DATABASE_ROLES: JSON.stringify([ORDER, payment]), ORDER_DB_PASSWORD: '' }));
    expect(message).toBe(
      'Invalid database-roles configuration: ' +
        'ORDER_DB_PASSWORD: is not set, and holds the password of order-service (DATABASE_ROLES); ' +
        'PAYMENT_DB_PASSWORD: is not set, and holds the password of payment-service (DATABASE_ROLES)',
    );
  });

  it('refuses a password that is not printable ASCII, without showing it', () => {
    expect(refusal(env({ ORDER_DB_PASSWORD: 'pässwort-do-not-print' })).message).toBe(
      'Invalid database-roles configuration: ORDER_DB_PASSWORD: the password of order-service must be printable ASCII characters',
    );
  });
});

describe('adminConnection', () => {
  it("verifies the server's certificate and host name with Node's own CA store for verify-full", () => {
    const connection = adminConnection(parseDatabaseRolesSettings(env()));
    expect(connection).toEqual({
      host: 'stitch.postgres.database.azure.com',
      port: 5432,
      user: 'stitchadmin',
      password: ADMIN_PASSWORD,
      database: 'postgres',
      // No `ca`: Node's CA store. No checkServerIdentity: Node's host-name check. pg passes the host to it.
      ssl: { rejectUnauthorized: true },
      application_name: 'stitch-database-roles',
      connectionTimeoutMillis: 20_000,
    });
  });

  it('turns TLS off for disable, explicitly, so that pg reads no PGSSLMODE', () => {
    expect(adminConnection(parseDatabaseRolesSettings(env({ DATABASE_TLS: 'disable' }))).ssl).toBe(false);
  });
});
