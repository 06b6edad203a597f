import { randomBytes } from 'node:crypto';
import type { ServiceBusEntities } from '../../src/entities';
import { shopMarkerQueue } from '../../src/transport/shop-marker';
import { FakeServiceBusClient } from './client';
import { fakeServiceBusProcessEnv } from './process-env';
import type { FakeServiceBusServer } from './server';

export interface FakeShopNamespace {
  readonly namespace: string;
  /** A client of the namespace, for what the test reads there (dead letters, say). */
  readonly client: FakeServiceBusClient;
  /** What starts a shop's service on it: the fake's process environment and the shop's id (the namespace's name). */
  readonly env: Record<string, string>;
}

/** A fresh namespace of the fake broker holding `entities`, marked for a shop whose id is its name, as the shop's topology command leaves one. */
export async function provisionFakeShopNamespace(server: FakeServiceBusServer, entities: ServiceBusEntities): Promise<FakeShopNamespace> {
  const namespace = `e2e-${randomBytes(3).toString('hex')}`;
  server.createNamespace(namespace, entities);
  const client = new FakeServiceBusClient(server.url, namespace);
  await shopMarkerQueue(client).write(namespace);
  return { namespace, client, env: { ...fakeServiceBusProcessEnv(server.url, namespace), STITCH_SHOP_ID: namespace } };
}
