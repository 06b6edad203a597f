import type { PrismaPg } from '@prisma/adapter-pg';

type StatementNameGenerator = NonNullable<NonNullable<ConstructorParameters<typeof PrismaPg>[1]>['statementNameGenerator']>;

/** Enough for every statement a service sends; a query built with a varying shape past it runs unnamed. */
export const MAX_PREPARED_STATEMENTS = 500;

/**
 * Names for the SQL a process sends, so that each of its connections has PostgreSQL parse and plan a statement once
 * and then only binds and executes it: the same query costs the server about 40 % less CPU (docs/benchmarks.md). One
 * name per distinct SQL text, for the life of the process, so a name always means the same text on every connection,
 * as pg requires. The first `limit` texts are named; later ones run as unnamed statements, parsed every time, so a
 * query whose text varies without end cannot fill the server's memory.
 */
export function preparedStatementNames(limit = MAX_PREPARED_STATEMENTS): StatementNameGenerator {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < limit) {
      name = `stitch_${names.size}`;
      names.set(sql, name);
    }
    // An empty name is pg's (and PostgreSQL's) unnamed statement.
    return name ?? '';
  };
}
