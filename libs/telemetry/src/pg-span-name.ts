import type { Span } from '@opentelemetry/api';
import type { PgRequestHookInformation } from '@opentelemetry/instrumentation-pg';

const FIRST_WORD = /^\s*(\S+)/;

/** What PgInstrumentation calls a query's span when the statement has no name: `pg.query:<OPERATION> <database>`. */
export function pgQuerySpanName(text: string, database: string | undefined): string {
  // Runs for every query: reads the first word without copying the statement.
  const firstWord = (FIRST_WORD.exec(text)?.[1] ?? '').toUpperCase().replace(/;$/, '');
  return `pg.query:${firstWord}${database ? ` ${database}` : ''}`;
}

/**
 * A prepared statement's span would be named after the statement (`pg.query:stitch_7 stitch_order`): it gets the name
 * an unnamed one has, after its SQL's operation, so a trace reads `pg.query:SELECT stitch_order` either way.
 */
export function nameQuerySpanAfterItsSql(span: Span, { query, connection }: PgRequestHookInformation): void {
  if (query.name) span.updateName(pgQuerySpanName(query.text, connection.database));
}
