import { PermanentError } from '@stitch/messaging-core';
import { classifyDatabaseError, isPermanentSqlState, PermanentDatabaseError, postgresErrorOf } from './permanent-database-error';

/** What Prisma's driver adapter throws for a PostgreSQL error (seen with @prisma/adapter-pg 7.10). */
const adapterError = (originalCode: string, originalMessage: string) =>
  Object.assign(new Error('Raw query failed'), { code: 'P2010', meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode, originalMessage } } } });

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
    expect(postgresErrorOf(adapterError('23514', 'violates check constraint'))).toEqual({ sqlState: '23514', message: 'violates check constraint' });
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
