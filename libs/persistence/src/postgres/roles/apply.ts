import type { PlannedStatement } from './plan';

/** The part of a pg Client the plan needs: one session, outside any transaction. */
export interface SqlSession {
  query(sql: string, values?: unknown[]): Promise<{ rowCount: number | null }>;
}

/**
 * Runs the plan's statements in order, each on its own (CREATE DATABASE refuses a transaction). Returns what was
 * done, for the log. A failing statement stops the run with an error naming its step and the server's reason:
 * never the statement, which holds a password verifier.
 */
export async function applyDatabaseRoles(session: SqlSession, plan: readonly PlannedStatement[]): Promise<string[]> {
  const done: string[] = [];
  for (const statement of plan) {
    try {
      const exists = statement.ifExists
        ? Boolean((await session.query(statement.ifExists.sql, [...statement.ifExists.values])).rowCount)
        : false;
      await session.query(exists && statement.ifExists ? statement.ifExists.whenExists : statement.sql);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new Error(`${statement.description}: failed${code ? ` (${String(code)})` : ''}: ${(error as Error).message}`, { cause: error });
    }
    done.push(statement.description);
  }
  return done;
}
