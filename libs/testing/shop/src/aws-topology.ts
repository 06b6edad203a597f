import { randomBytes } from 'node:crypto';
import { shopCatalogue } from '@stitch/contracts';
import {
  applyTopology,
  AwsTransport,
  awsEntities,
  createAwsClients,
  deleteTopology,
  destroyAwsClients,
  type AwsClientSettings,
} from '@stitch/messaging-aws';
import type { DeadLetteredMessage } from '@stitch/messaging-core';

/**
 * A fresh name prefix with the shop's whole topology on it, so a run starts empty and shares the emulator. The
 * topology is marked for a shop whose id is the prefix too: start its services with STITCH_SHOP_ID = the prefix.
 */
export async function provisionShopTopology(settings: AwsClientSettings): Promise<string> {
  const prefix = `e2e-${randomBytes(3).toString('hex')}`;
  const clients = createAwsClients(settings);
  try {
    await applyTopology(clients, awsEntities(shopCatalogue.topology(), prefix), { shopId: prefix });
  } finally {
    destroyAwsClients(clients);
  }
  return prefix;
}

export async function deleteShopTopology(settings: AwsClientSettings, prefix: string): Promise<void> {
  const clients = createAwsClients(settings);
  try {
    await deleteTopology(clients, awsEntities(shopCatalogue.topology(), prefix));
  } finally {
    destroyAwsClients(clients);
  }
}

/** Every dead letter of every queue and subscription of the run: none is expected, and none may hold a card. */
export async function shopDeadLetters(settings: AwsClientSettings, prefix: string): Promise<DeadLetteredMessage[]> {
  const topology = shopCatalogue.topology();
  const transport = new AwsTransport({ topology, clients: createAwsClients(settings), prefix });
  await transport.start();
  try {
    const sources = [
      ...topology.queues.map((queue) => ({ kind: 'queue' as const, name: queue.name })),
      ...topology.topic.subscriptions.map((subscription) => ({
        kind: 'subscription' as const,
        topic: subscription.topic,
        name: subscription.name,
      })),
    ];
    return (await Promise.all(sources.map((source) => transport.deadLetters.list(source)))).flat();
  } finally {
    await transport.close();
  }
}
