import { z } from 'zod';
import { Catalogue, defineCommand, defineEvent } from '@stitch/messaging-catalogue';

/**
 * A small catalogue of its own, so the conformance suite tests transports rather than the shop:
 * alpha owns a command queue and sends itself its commands; beta and gamma subscribe to overlapping sets of
 * alpha's events.
 */
export const DoWork = defineCommand({
  type: 'alpha.do-work.v1',
  name: 'DoWork',
  owner: 'alpha',
  senders: ['alpha'],
  schema: z.strictObject({ n: z.number().int() }),
});

export const ThingHappened = defineEvent({
  type: 'alpha.thing-happened.v1',
  name: 'ThingHappened',
  publisher: 'alpha',
  subscribers: ['beta', 'gamma'],
  schema: z.strictObject({ n: z.number().int() }),
});

export const OtherHappened = defineEvent({
  type: 'alpha.other-happened.v1',
  name: 'OtherHappened',
  publisher: 'alpha',
  subscribers: ['beta'],
  schema: z.strictObject({ n: z.number().int() }),
});

export const NobodyListened = defineEvent({
  type: 'alpha.nobody-listened.v1',
  name: 'NobodyListened',
  publisher: 'alpha',
  subscribers: [],
  schema: z.strictObject({ n: z.number().int() }),
});

export const conformanceCatalogue = new Catalogue({
  services: ['alpha', 'beta', 'gamma'],
  messages: [DoWork, ThingHappened, OtherHappened, NobodyListened],
  maxAttempts: { default: 3 },
});
