import type { INestApplication } from '@nestjs/common';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { query, shopTransport, startInventory, testEnvironment } from '../../test/support/inventory-test-app';
import { catalogueSeed } from './catalogue-seed';

let server: TestPostgres;
const apps: INestApplication[] = [];

async function start(): Promise<string> {
  const app = await startInventory(shopTransport());
  apps.push(app);
  return app.getUrl();
}

beforeAll(async () => {
  server = await startTestPostgres();
  testEnvironment(server.url);
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await server?.stop();
});

describe('the catalogue', () => {
  let url: string;

  beforeAll(async () => {
    url = await start();
  });

  it('is stocked at start and listed by SKU', async () => {
    const response = await fetch(`${url}/products`);
    expect(response.status).toBe(200);
    const products = (await response.json()) as Array<{ sku: string }>;
    expect(products).toEqual(
      [...catalogueSeed]
        .sort((a, b) => (a.sku < b.sku ? -1 : 1))
        .map(({ sku, name, priceCents, available }) => ({ sku, name, priceCents, available })),
    );
    expect(products.every((product) => /^[A-Z0-9][A-Z0-9-]{1,31}$/.test(product.sku))).toBe(true);
    expect(products.find((product) => product.sku === 'SCARF-LTD')).toMatchObject({ available: 3 });
  });

  it('answers one product by SKU', async () => {
    const response = await fetch(`${url}/products/HOODIE-GRY-M`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sku: 'HOODIE-GRY-M', name: 'Heavyweight hoodie, grey, M', priceCents: 5999, available: 120 });
  });

  it('answers 404 with a JSON body for a SKU it does not have', async () => {
    const response = await fetch(`${url}/products/NOPE-1`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toMatchObject({ statusCode: 404, message: 'No product with SKU NOPE-1' });
  });

  it('is never restocked by a later start, but a missing product is added back', async () => {
    await query(server.url, "UPDATE product SET available = 7 WHERE sku = 'TEE-WHT-M'");
    await query(server.url, "DELETE FROM product WHERE sku = 'CAP-NVY'");

    // Two more replicas starting at once seed the same database together.
    const [second] = await Promise.all([start(), start()]);

    const products = (await (await fetch(`${second}/products`)).json()) as Array<{ sku: string; available: number }>;
    expect(products).toHaveLength(catalogueSeed.length);
    expect(products.find((product) => product.sku === 'TEE-WHT-M')?.available).toBe(7);
    expect(products.find((product) => product.sku === 'CAP-NVY')?.available).toBe(75);
  });
});
