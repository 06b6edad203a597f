import { ConfigError } from '@stitch/messaging-core';
import { databaseConfig } from './database.config';

describe('database config', () => {
  const saved = { ...process.env };

  beforeEach(() => {
    delete process.env['DATABASE_PASSWORD'];
    delete process.env['DATABASE_TLS_CA'];
    delete process.env['DATABASE_PREPARED_STATEMENTS'];
  });

  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads the server URL, the migration lock timeout and the connect timeout', () => {
    process.env['DATABASE_URL'] = 'postgresql://u:p@127.0.0.1:5432/postgres';
    process.env['DATABASE_MIGRATION_LOCK_TIMEOUT_MS'] = '5000';
    delete process.env['DATABASE_CONNECT_TIMEOUT_MS'];
    expect(databaseConfig()).toEqual({
      serverUrl: 'postgresql://u:p@127.0.0.1:5432/postgres',
      connection: {},
      migrationLockTimeoutMs: 5_000,
      connectTimeoutMs: 30_000,
      preparedStatements: true,
    });
    process.env['DATABASE_CONNECT_TIMEOUT_MS'] = '2000';
    expect(databaseConfig().connectTimeoutMs).toBe(2_000);
  });

  it('prepares statements unless DATABASE_PREPARED_STATEMENTS is off, and names a value that is neither', () => {
    process.env['DATABASE_URL'] = 'postgresql://u:p@127.0.0.1:5432/postgres';
    process.env['DATABASE_PREPARED_STATEMENTS'] = 'off';
    expect(databaseConfig().preparedStatements).toBe(false);
    process.env['DATABASE_PREPARED_STATEMENTS'] = 'on';
    expect(databaseConfig().preparedStatements).toBe(true);
    process.env['DATABASE_PREPARED_STATEMENTS'] = 'false';
    expect(() => databaseConfig()).toThrow(/DATABASE_PREPARED_STATEMENTS: must be on or off/);
  });

  it('requires DATABASE_URL and names it', () => {
    delete process.env['DATABASE_URL'];
    expect(() => databaseConfig()).toThrow(ConfigError);
    expect(() => databaseConfig()).toThrow(/DATABASE_URL: must be the PostgreSQL server URL/);
  });

  it('refuses a URL that is not PostgreSQL, without echoing it', () => {
    process.env['DATABASE_URL'] = 'mysql://u:secret@h/db';
    expect(() => databaseConfig()).toThrow(/DATABASE_URL/);
    expect(() => databaseConfig()).not.toThrow(/secret/);
  });

  describe('DATABASE_PASSWORD', () => {
    it('is the password of the user DATABASE_URL names, kept beside the URL', () => {
      process.env['DATABASE_URL'] = 'postgresql://order_service@db.example.com:5432/postgres';
      process.env['DATABASE_PASSWORD'] = 'from-the-secret-store';
      const config = databaseConfig();
      expect(config.serverUrl).toBe('postgresql://order_service@db.example.com:5432/postgres');
      expect(config.connection).toEqual({ password: 'from-the-secret-store' });
    });

    it('refuses a password in DATABASE_URL as well, naming both variables and neither password', () => {
      process.env['DATABASE_URL'] = 'postgresql://order_service:url-secret@db.example.com/postgres';
      process.env['DATABASE_PASSWORD'] = 'store-secret';
      expect(() => databaseConfig()).toThrow(ConfigError);
      expect(() => databaseConfig()).toThrow(
        'Invalid database configuration: DATABASE_PASSWORD: DATABASE_URL holds a password too: give the password in DATABASE_URL or in DATABASE_PASSWORD, not both',
      );
      expect(() => databaseConfig()).not.toThrow(/url-secret|store-secret/);
    });

    it('refuses a URL that names no user, without echoing the password', () => {
      process.env['DATABASE_URL'] = 'postgresql://db.example.com/postgres';
      process.env['DATABASE_PASSWORD'] = 'store-secret';
      expect(() => databaseConfig()).toThrow(
        'DATABASE_PASSWORD: is the password of the user DATABASE_URL names, and DATABASE_URL names no user',
      );
      expect(() => databaseConfig()).not.toThrow(/store-secret/);
    });

    it('refuses an empty one', () => {
      process.env['DATABASE_URL'] = 'postgresql://order_service@db.example.com/postgres';
      process.env['DATABASE_PASSWORD'] = '';
      expect(() => databaseConfig()).toThrow(/DATABASE_PASSWORD/);
    });
  });

  describe('DATABASE_TLS_CA', () => {
    it('takes aws-rds', () => {
      process.env['DATABASE_URL'] = 'postgresql://order_service@shop.abc.eu-west-1.rds.amazonaws.com/postgres?sslmode=verify-full';
      process.env['DATABASE_TLS_CA'] = 'aws-rds';
      process.env['DATABASE_PASSWORD'] = 'store-secret';
      expect(databaseConfig().connection).toEqual({ password: 'store-secret', tlsCa: 'aws-rds' });
    });

    it('refuses a CA list it does not know, naming the ones it does', () => {
      process.env['DATABASE_URL'] = 'postgresql://u:p@127.0.0.1/postgres';
      process.env['DATABASE_TLS_CA'] = 'azure';
      expect(() => databaseConfig()).toThrow('Invalid database configuration: DATABASE_TLS_CA: must be one of aws-rds, or unset');
    });

    it.each(['sslmode=disable', 'sslmode=no-verify', 'ssl=false', 'ssl=0'])(
      'refuses a DATABASE_URL that turns verified TLS off with %s',
      (param) => {
        process.env['DATABASE_URL'] = `postgresql://u:url-secret@127.0.0.1/postgres?${param}`;
        process.env['DATABASE_TLS_CA'] = 'aws-rds';
        expect(() => databaseConfig()).toThrow(
          `DATABASE_TLS_CA: asks for verified TLS, and DATABASE_URL turns it off with ${param}: remove that from DATABASE_URL`,
        );
        expect(() => databaseConfig()).not.toThrow(/url-secret/);
      },
    );
  });
});
