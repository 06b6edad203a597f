import { DependencyUnavailableError, networkFailure } from '@stitch/messaging-core';
import { postgresErrorOf } from './permanent-database-error';

/** The database cannot be reached or cannot serve now: the consumer holds the message and pauses instead of retrying. */
export class DatabaseUnavailableError extends DependencyUnavailableError {
  override readonly name: string = 'DatabaseUnavailableError';
  constructor(reason: string, options?: ErrorOptions) {
    super('PostgreSQL', reason, options);
  }
}

/**
 * SQLSTATEs that say the server cannot serve now, whatever the query: connection exceptions (class 08), not enough
 * resources (class 53: no connections left, disk full, out of memory), and the server shutting down, crashing or
 * starting up (57P01–57P03).
 */
export function isUnavailableSqlState(sqlState: string): boolean {
  return sqlState.startsWith('08') || sqlState.startsWith('53') || /^57P0[123]$/.test(sqlState);
}

/** Prisma's codes for the same: cannot reach, timed out, connection closed, no connection free in the pool. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/** Prisma's driver adapter error kinds for a lost or refused connection. */
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'DatabaseDoesNotExist',
]);

/** pg's words for a connection that broke or never came, which it throws without a code. */
const UNAVAILABLE_WORDS = /Connection terminated|connection timeout|timeout expired|not queryable|Connection is closed/i;

/** Why the database is unavailable, when `error` (or what it wraps) says so; undefined for any other failure. */
export function databaseUnavailable(error: unknown): string | undefined {
  const network = networkFailure(error);
  if (network) return network;
  const postgres = postgresErrorOf(error);
  if (postgres) return isUnavailableSqlState(postgres.sqlState) ? `${postgres.sqlState}: ${postgres.message}` : undefined;
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, message, meta } = current as {
      code?: unknown;
      message?: unknown;
      meta?: { driverAdapterError?: { cause?: { kind?: unknown } } };
    };
    const kind = meta?.driverAdapterError?.cause?.kind;
    if (typeof kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(kind)) return kind;
    if (typeof code === 'string' && UNAVAILABLE_PRISMA_CODES.has(code)) return `${code}: ${firstLine(String(message ?? ''))}`;
    if (typeof message === 'string' && UNAVAILABLE_WORDS.test(message)) return firstLine(message);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? text
  );
}
