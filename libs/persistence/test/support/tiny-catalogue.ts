import { Catalogue, defineCommand, defineEvent } from '@stitch/messaging-catalogue';
import { createLogger } from '@stitch/messaging-core';
import { z } from 'zod';

/** Two services: `a` owns a command `b` sends, and publishes an event `b` subscribes to. */
export const DoIt = defineCommand({ type: 'a.do-it.v1', name: 'DoIt', owner: 'a', senders: ['b'], schema: z.object({ n: z.number() }) });
export const Done = defineEvent({
  type: 'a.done.v1',
  name: 'Done',
  publisher: 'a',
  subscribers: ['b'],
  schema: z.object({ n: z.number() }),
});
export const tinyCatalogue = new Catalogue({ services: ['a', 'b'], messages: [DoIt, Done], maxAttempts: { default: 3 } });

export const silentLogger = createLogger({ service: 'test', instance: 'test-1' }, 'silent');
