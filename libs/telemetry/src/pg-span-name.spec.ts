import type { Span } from '@opentelemetry/api';
import { nameQuerySpanAfterItsSql, pgQuerySpanName } from './pg-span-name';

describe('pgQuerySpanName', () => {
  it("is the SQL's operation and the database", () => {
    expect(pgQuerySpanName('SELECT "public"."charge"."id" FROM "public"."charge" WHERE 1=1', 'stitch_payment')).toBe(
      'pg.query:SELECT stitch_payment',
    );
    expect(pgQuerySpanName('  insert into stitch_inbox (message_id) values ($1)', 'stitch_order')).toBe('pg.query:INSERT stitch_order');
    expect(pgQuerySpanName('COMMIT;', 'stitch_order')).toBe('pg.query:COMMIT stitch_order');
    expect(pgQuerySpanName('BEGIN', undefined)).toBe('pg.query:BEGIN');
  });
});

describe('nameQuerySpanAfterItsSql', () => {
  const renamed = (name: string | undefined) => {
    const names: string[] = [];
    const span = { updateName: (to: string) => names.push(to) } as unknown as Span;
    nameQuerySpanAfterItsSql(span, {
      query: { text: 'UPDATE stock SET reserved = $1', ...(name ? { name } : {}) },
      connection: { database: 'stitch_inventory' },
    });
    return names;
  };

  it('names a prepared statement’s span after its SQL, not after the statement', () => {
    expect(renamed('stitch_3')).toEqual(['pg.query:UPDATE stitch_inventory']);
  });

  it('leaves an unnamed statement’s span as the instrumentation named it', () => {
    expect(renamed(undefined)).toEqual([]);
  });
});
