import { z } from 'zod';
import { Catalogue, defineCommand, defineEvent } from '@stitch/messaging-catalogue';

/** A small topology for unit tests: alpha owns a command it sends itself; beta and gamma subscribe to alpha's event. */
export const conformanceTopology = new Catalogue({
  services: ['alpha', 'beta', 'gamma'],
  messages: [
    defineCommand({ type: 'alpha.do-work.v1', name: 'DoWork', owner: 'alpha', senders: ['alpha'], schema: z.object({ n: z.number() }) }),
    defineEvent({
      type: 'alpha.thing-happened.v1',
      name: 'ThingHappened',
      publisher: 'alpha',
      subscribers: ['beta', 'gamma'],
      schema: z.object({ n: z.number() }),
    }),
  ],
  maxAttempts: { default: 3 },
}).topology();
