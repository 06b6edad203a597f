import { preparedStatementNames } from './prepared-statements';

const query = (sql: string) => ({ sql, args: [], argTypes: [] });

describe('preparedStatementNames', () => {
  it('gives each SQL text one name, the same every time it is sent', () => {
    const name = preparedStatementNames();
    const select = name(query('SELECT id FROM charge WHERE order_id = $1'));
    const insert = name(query('INSERT INTO charge (order_id) VALUES ($1)'));
    expect(select).not.toBe(insert);
    expect(name(query('SELECT id FROM charge WHERE order_id = $1'))).toBe(select);
    expect(name(query('INSERT INTO charge (order_id) VALUES ($1)'))).toBe(insert);
  });

  it('sends texts past its limit unnamed, and keeps the names it gave', () => {
    const name = preparedStatementNames(2);
    const first = name(query('SELECT 1'));
    const second = name(query('SELECT 2'));
    expect(name(query('SELECT 3'))).toBe('');
    expect(name(query('SELECT 1'))).toBe(first);
    expect(name(query('SELECT 2'))).toBe(second);
    expect(first).not.toBe('');
    expect(second).not.toBe('');
  });
});
