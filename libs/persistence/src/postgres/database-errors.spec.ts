import { StartupError } from '@stitch/messaging-core';
import { databaseStartupFailure, describeServer } from './database-errors';

const url = 'postgresql://shop%40acme:s3cret@db.example.com/postgres?sslmode=require';
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('describeServer', () => {
  it('names host, port (5432 by default) and user, never the password', () => {
    expect(describeServer(url)).toEqual({ server: 'db.example.com:5432', user: 'shop@acme' });
    expect(describeServer('postgresql://[::1]:6543/postgres')).toEqual({ server: '[::1]:6543', user: 'the default user' });
    expect(describeServer('not a url s3cret').server).toBe('the server DATABASE_URL names');
  });
});

describe('databaseStartupFailure', () => {
  it.each([
    [
      Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' }),
      'cannot reach the PostgreSQL server at db.example.com:5432 named by DATABASE_URL (connection refused): is it running? Start it or correct DATABASE_URL, or unset DATABASE_URL to let npm start run the embedded PostgreSQL',
    ],
    [
      Object.assign(new Error('getaddrinfo EAI_AGAIN db.example.com'), { code: 'EAI_AGAIN' }),
      'cannot reach the PostgreSQL server at db.example.com:5432 named by DATABASE_URL (host name lookup failed (DNS)): is it running? Start it or correct DATABASE_URL, or unset DATABASE_URL to let npm start run the embedded PostgreSQL',
    ],
    [
      pgError('28P01', 'password authentication failed for user "shop@acme"'),
      'the PostgreSQL server at db.example.com:5432 refused user "shop@acme": wrong password in DATABASE_URL',
    ],
    [
      pgError('28000', 'no pg_hba.conf entry for host "10.0.0.1", user "shop@acme", database "postgres", no encryption'),
      'the PostgreSQL server at db.example.com:5432 refused user "shop@acme": no pg_hba.conf entry for host "10.0.0.1", user "shop@acme", database "postgres", no encryption (DATABASE_URL)',
    ],
    [
      pgError('57P03', 'the database system is starting up'),
      'the PostgreSQL server at db.example.com:5432 is starting up or shutting down: start the service again in a moment',
    ],
    [
      new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'),
      'the PostgreSQL server at db.example.com:5432 asks user "shop@acme" for a password, and neither DATABASE_URL nor DATABASE_PASSWORD holds one',
    ],
    [
      new Error('The server does not support SSL connections'),
      'the PostgreSQL server at db.example.com:5432 does not support SSL: remove sslmode from DATABASE_URL, or enable SSL on the server',
    ],
  ])('turns %p into one line without the password', (error, line) => {
    const failure = databaseStartupFailure(error, url, 'stitch_order');
    expect(failure).toBeInstanceOf(StartupError);
    expect(failure?.message).toBe(line);
    expect(failure?.message).not.toContain('s3cret');
    expect(failure?.cause).toBe(error);
  });

  it('leaves other errors alone, and passes a StartupError through', () => {
    expect(databaseStartupFailure(pgError('42P01', 'relation "x" does not exist'), url, 'stitch_order')).toBeUndefined();
    const already = new StartupError('already said');
    expect(databaseStartupFailure(already, url, 'stitch_order')).toBe(already);
  });

  it('names DATABASE_PASSWORD when the password came from there', () => {
    const failure = databaseStartupFailure(
      pgError('28P01', 'password authentication failed'),
      'postgresql://shop@db.example.com/postgres',
      'stitch_order',
      {
        connection: { password: 's3cret' },
      },
    );
    expect(failure?.message).toBe('the PostgreSQL server at db.example.com:5432 refused user "shop": wrong password in DATABASE_PASSWORD');
  });

  it('with DATABASE_TLS_CA, says a certificate that does not verify is not an unreachable server', () => {
    const tls = { connection: { tlsCa: 'aws-rds' as const } };
    for (const code of [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'CERT_HAS_EXPIRED',
    ]) {
      const failure = databaseStartupFailure(Object.assign(new Error('certificate problem'), { code }), url, 'stitch_order', tls);
      expect(failure?.message).toBe(
        `the PostgreSQL server at db.example.com:5432 presented a certificate that DATABASE_TLS_CA=aws-rds does not verify (${code}): DATABASE_URL must name the server by the host name its certificate is for, e.g. the RDS instance's endpoint`,
      );
    }
    expect(databaseStartupFailure(new Error('The server does not support SSL connections'), url, 'stitch_order', tls)?.message).toBe(
      'the PostgreSQL server at db.example.com:5432 does not support SSL, which DATABASE_TLS_CA requires: enable SSL on the server, or unset DATABASE_TLS_CA',
    );
  });
});
