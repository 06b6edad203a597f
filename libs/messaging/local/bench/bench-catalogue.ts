import { z } from 'zod';
import { Catalogue, defineCommand } from '@stitch/messaging-catalogue';

/** The benchmark's own command: it carries its high-resolution send time for the latency figures. */
export const Ping = defineCommand({
  type: 'bench.ping.v1',
  name: 'Ping',
  owner: 'worker',
  senders: ['driver'],
  schema: z.strictObject({ n: z.number().int(), sentAt: z.number() }),
});

export const benchCatalogue = new Catalogue({ services: ['worker', 'driver'], messages: [Ping], maxAttempts: { default: 3 } });
