import { PermanentError } from '@stitch/messaging-core';

/**
 * PostgreSQL's verdicts that no retry can change, by SQLSTATE: every data exception (class 22: a NUL or an invalid
 * byte sequence, a value too long or out of range, text that is not a number), a NOT NULL and a CHECK violation.
 * A unique or foreign-key violation is not here: a concurrent writer's retry may pass, so each handler decides.
 */
export function isPermanentSqlState(sqlState: string): boolean {
  return sqlState.startsWith('22') || sqlState === '23502' || sqlState === '23514';
}

/** The data can never be stored: the consumer dead-letters the message at once, with PostgreSQL's words. */
export class PermanentDatabaseError extends PermanentError {
  override readonly name: string = 'PermanentDatabaseError';
  constructor(
    readonly sqlState: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`PostgreSQL refused the data (${sqlState}): ${message}`, options);
  }
}

interface AdapterCause {
  readonly originalCode?: unknown;
  readonly originalMessage?: unknown;
}

/** The SQLSTATE and message of a PostgreSQL error, as pg throws it or Prisma's driver adapter wraps it. */
export function postgresErrorOf(error: unknown): { sqlState: string; message: string } | undefined {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const cause = (current as { meta?: { driverAdapterError?: { cause?: AdapterCause } } }).meta?.driverAdapterError?.cause;
    if (typeof cause?.originalCode === 'string') return { sqlState: cause.originalCode, message: String(cause.originalMessage ?? '') };
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && (current as { severity?: unknown }).severity) {
      return { sqlState: code, message: String(message ?? '') };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
