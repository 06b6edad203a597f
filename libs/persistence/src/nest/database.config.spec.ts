import { ConfigError } from '@stitch/messaging-core';
import { databaseConfig } from './database.config';

describe('database config', () => {
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads the server URL, the migration lock timeout and the connect timeout', () => {
    process.env['DATABASE_URL'] = 'postgresql://u:p@127.0.0.1:5432/postgres';
    process.env['DATABASE_MIGRATION_LOCK_TIMEOUT_MS'] = '5000';
    delete process.env['DATABASE_CONNECT_TIMEOUT_MS'];
    expect(databaseConfig()).toEqual({
      serverUrl: 'postgresql://u:p@127.0.0.1:5432/postgres',
      migrationLockTimeoutMs: 5_000,
      connectTimeoutMs: 30_000,
    });
    process.env['DATABASE_CONNECT_TIMEOUT_MS'] = '2000';
    expect(databaseConfig().connectTimeoutMs).toBe(2_000);
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
});
