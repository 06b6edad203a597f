import { PermanentError } from '@stitch/messaging-core';
import { classifyDatabaseError } from './classify-database-error';
import { DatabaseUnavailableError } from './database-unavailable-error';
import { isPermanentSqlState, PermanentDatabaseError, postgresErrorOf } from './permanent-database-error';

/** What Prisma's driver adapter throws for a PostgreSQL error (seen with @prisma/adapter-pg 7.10). */
const adapterError = (originalCode: string, originalMessage: string) =>
  Object.assign(new Error('Raw query failed'), {
    code: 'P2010',
    meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode, originalMessage } } },
  });

describe('database errors', () => {
  it.each([
    ['22021', true],
    ['22001', true],
    ['22P02', true],
    ['23502', true],
    ['23514', true],
    ['23505', false],
    ['23503', false],
    ['40001', false],
    ['57P01', false],
    ['08006', false],
  ])('SQLSTATE %s is permanent: %s', (sqlState, permanent) => {
    expect(isPermanentSqlState(sqlState)).toBe(permanent);
  });

  it("reads the SQLSTATE from Prisma's driver adapter error and from pg's own", () => {
    expect(postgresErrorOf(adapterError('23514', 'violates check constraint'))).toEqual({
      sqlState: '23514',
      message: 'violates check constraint',
    });
    const pgError = Object.assign(new Error('null value in column'), { code: '23502', severity: 'ERROR' });
    expect(postgresErrorOf(new Error('wrapped', { cause: pgError }))).toEqual({ sqlState: '23502', message: 'null value in column' });
    expect(postgresErrorOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('makes a permanent refusal a PermanentError and leaves everything else as it was', () => {
    const refused = classifyDatabaseError(adapterError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'));
    expect(refused).toBeInstanceOf(PermanentDatabaseError);
    expect(refused).toBeInstanceOf(PermanentError);
    const duplicate = adapterError('23505', 'duplicate key value');
    expect(classifyDatabaseError(duplicate)).toBe(duplicate);
  });
});

describe('an unreachable database', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['the server shutting down', adapterError('57P01', 'terminating connection due to administrator command')],
    ['a connection exception', adapterError('08006', 'connection failure')],
    ['no connections left', adapterError('53300', 'sorry, too many clients already')],
    ['a broken connection', new Error('Connection terminated unexpectedly')],
    ["Prisma's pool timeout", Object.assign(new Error('Timed out fetching a new connection from the connection pool.'), { code: 'P2024' })],
    [
      "the adapter's lost connection",
      Object.assign(new Error('x'), { meta: { driverAdapterError: { cause: { kind: 'ConnectionClosed' } } } }),
    ],
  ])('%s is unavailable, not a failure of the message', (_, error) => {
    const classified = classifyDatabaseError(error);
    expect(classified).toBeInstanceOf(DatabaseUnavailableError);
    expect(classified).not.toBeInstanceOf(PermanentError);
  });

  it('leaves a query the server answered with an error as it was', () => {
    const deadlock = adapterError('40P01', 'deadlock detected');
    expect(classifyDatabaseError(deadlock)).toBe(deadlock);
  });
});
