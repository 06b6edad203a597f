import { readFileSync } from 'node:fs';
import path from 'node:path';
import { databaseOwners, serviceEntry, serviceNames, Services, shopServices, urlVariable } from './manifest';

describe('the service manifest', () => {
  // A service added later (nx g @stitch/nx-plugin:service) appends to these.
  it('lists the shop with the ports and databases of the design', () => {
    expect(shopServices.slice(0, 6).map(({ name, port, database }) => [name, port, database])).toEqual([
      ['storefront', 3000, 'stitch_storefront'],
      ['order-service', 3001, 'stitch_order'],
      ['inventory-service', 3002, 'stitch_inventory'],
      ['payment-service', 3003, 'stitch_payment'],
      ['email-service', 3004, 'stitch_email'],
      ['notification-service', 3005, 'stitch_notification'],
    ]);
    expect(shopServices.filter((service) => service.publicHttp).map((service) => service.name)).toEqual(['storefront']);
  });

  it('names each service by its short name', () => {
    expect(Services).toMatchObject({
      storefront: 'storefront',
      order: 'order-service',
      inventory: 'inventory-service',
      payment: 'payment-service',
      email: 'email-service',
      notification: 'notification-service',
    });
    expect(serviceNames).toEqual(Object.values(Services));
  });

  it('gives every service its own name, port and database', () => {
    const unique = (values: readonly unknown[]) => new Set(values).size === values.length;
    expect(unique(shopServices.map((service) => service.name))).toBe(true);
    expect(unique(shopServices.map((service) => service.port))).toBe(true);
    expect(unique(databaseOwners().map((owner) => owner.database))).toBe(true);
    for (const owner of databaseOwners()) expect(owner.database).toMatch(/^stitch_[a-z0-9_]+$/);
  });

  it('calls only services of the manifest, never itself, and carries their URLs in <KEY>_URL', () => {
    for (const service of shopServices) {
      for (const called of service.calls) {
        expect(`${service.name} -> ${called}: ${serviceNames.includes(called) && called !== service.name}`).toBe(
          `${service.name} -> ${called}: true`,
        );
      }
    }
    expect(serviceEntry(Services.storefront).calls.map(urlVariable)).toEqual(['ORDER_URL', 'INVENTORY_URL', 'NOTIFICATION_URL']);
    expect(urlVariable('gift-card-service')).toBe('GIFT_CARD_URL');
  });

  it('finds an entry by name and refuses an unknown one', () => {
    expect(serviceEntry('payment-service')).toMatchObject({ port: 3003, database: 'stitch_payment', replicas: 1 });
    expect(() => serviceEntry('nope')).toThrow(/no service "nope" in the manifest/);
  });

  it('keeps the end-of-list marker on one line, right after the last entry, where a generator inserts a new one', () => {
    const lines = readFileSync(path.join(__dirname, 'manifest.ts'), 'utf8').split('\n');
    const marker = lines.flatMap((line, index) => (line.includes('@stitch-manifest: end of services') ? [index] : []));
    expect(marker).toHaveLength(1);
    const closing = lines.flatMap((line, index) =>
      line.startsWith('] as const satisfies readonly ServiceManifestEntry[]') ? [index] : [],
    );
    expect(closing).toEqual([marker[0]! + 1]);
    expect(lines[marker[0]! - 1]).toBe('  },');
  });
});
