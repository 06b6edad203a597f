import { z } from 'zod';
import { Catalogue, defineCommand, defineEvent } from '@stitch/messaging-catalogue';

/** The benchmark's message: a sequence number and its high-resolution send time. */
export interface Ping {
  readonly n: number;
  readonly sentAt: number;
}

/** The benchmark's own command: it carries its high-resolution send time for the latency figures. */
export const Ping = defineCommand({
  type: 'bench.ping.v1',
  name: 'Ping',
  owner: 'worker',
  senders: ['driver'],
  schema: z.strictObject({ n: z.number().int(), sentAt: z.number() }),
});

/** The same as an event, for transports whose events travel another way than their commands (a bus and its rules). */
export const Pinged = defineEvent({
  type: 'bench.pinged.v1',
  name: 'Pinged',
  publisher: 'driver',
  subscribers: ['worker'],
  schema: z.strictObject({ n: z.number().int(), sentAt: z.number() }),
});

/** Commands only: a consumer of this catalogue receives from one queue. */
export const benchCatalogue = new Catalogue({ services: ['worker', 'driver'], messages: [Ping], maxAttempts: { default: 3 } });

/** The command and the event: `worker` receives from its command queue and from its subscription. */
export const benchEventCatalogue = new Catalogue({ services: ['worker', 'driver'], messages: [Ping, Pinged], maxAttempts: { default: 3 } });
