import { DependencyUnavailableError, PermanentError } from '@stitch/messaging-core';
import { DatabaseUnavailableError, databaseUnavailable } from './database-unavailable-error';
import { isPermanentSqlState, PermanentDatabaseError, postgresErrorOf } from './permanent-database-error';

/**
 * The error as the consumer should see it: a permanent database refusal becomes a PermanentDatabaseError, a server
 * that cannot be reached or cannot serve now a DatabaseUnavailableError.
 */
export function classifyDatabaseError(error: unknown): unknown {
  if (error instanceof PermanentError || error instanceof DependencyUnavailableError) return error;
  const unavailable = databaseUnavailable(error);
  if (unavailable) return new DatabaseUnavailableError(unavailable, { cause: error });
  const found = postgresErrorOf(error);
  return found && isPermanentSqlState(found.sqlState) ? new PermanentDatabaseError(found.sqlState, found.message, { cause: error }) : error;
}
