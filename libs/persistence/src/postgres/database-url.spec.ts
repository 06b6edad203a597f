import { serviceDatabaseName, serviceDatabaseUrl, withDatabase } from './database-url';

describe('database URLs', () => {
  it('names a service database after the service, without its -service suffix', () => {
    expect(serviceDatabaseName('order-service')).toBe('stitch_order');
    expect(serviceDatabaseName('inventory-service')).toBe('stitch_inventory');
    expect(serviceDatabaseName('storefront')).toBe('stitch_storefront');
    expect(serviceDatabaseName('Gift-Card.Service')).toBe('stitch_gift_card_service');
  });

  it('refuses names that cannot make a PostgreSQL identifier', () => {
    expect(() => serviceDatabaseName('-service')).toThrow(/cannot name a database/);
    expect(() => serviceDatabaseName('x'.repeat(60))).toThrow(/cannot name a database/);
  });

  it('keeps the server, credentials and options and replaces only the database', () => {
    const server = 'postgresql://app:s%40cret@db.internal:5433/postgres?sslmode=require';
    expect(serviceDatabaseUrl(server, 'order-service')).toBe('postgresql://app:s%40cret@db.internal:5433/stitch_order?sslmode=require');
    expect(withDatabase('postgresql://u:p@127.0.0.1:5432', 'x')).toBe('postgresql://u:p@127.0.0.1:5432/x');
  });
});
