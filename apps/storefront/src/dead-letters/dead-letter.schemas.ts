import { shopCatalogue } from '@stitch/contracts';
import { sameSource, sourcesOf } from '@stitch/messaging-core';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** Where a message failed: a command queue, or one service's subscription on the event topic. */
export const sourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('queue'), name: z.string().min(1).describe('The owning service, e.g. order-service') }),
  z.strictObject({
    kind: z.literal('subscription'),
    topic: z.string().min(1).describe('The event topic, events'),
    name: z.string().min(1).describe('The subscribing service, e.g. email-service'),
  }),
]);

export const deadLetterSchema = z.object({
  id: z.string().describe("The transport's handle for this dead letter, to replay it by"),
  messageId: z.string(),
  type: z.string().describe('The versioned message type, e.g. order.place-order.v1'),
  reason: z.string().describe('Why the consumer gave up: the error'),
  description: z.string(),
  attempts: z.number().int().describe('Deliveries made before it was dead-lettered'),
  deadLetteredAt: z.string().describe('ISO 8601'),
  correlationId: z.string(),
});

export const sourceDeadLettersSchema = z.object({
  source: sourceSchema,
  count: z.number().int().nonnegative(),
  messages: z.array(deadLetterSchema),
});

export const deadLetterListSchema = z.array(sourceDeadLettersSchema);
export class DeadLetterListDto extends createZodDto(deadLetterListSchema) {}

export const replayRequestSchema = z
  .strictObject({
    source: sourceSchema,
    ids: z.array(z.string().min(1)).min(1).max(1_000).optional().describe('The dead letters to replay; left out, every one of the source'),
  })
  .superRefine((request, context) => {
    if (!sourcesOf(shopCatalogue).some((source) => sameSource(source, request.source))) {
      context.addIssue({
        code: 'custom',
        path: ['source', 'name'],
        message: 'not a queue or subscription of the shop (GET /api/dead-letters lists them)',
      });
    }
  });
export class ReplayRequestDto extends createZodDto(replayRequestSchema) {}

export const replayedSchema = z.object({
  replayed: z.number().int().nonnegative().describe('Dead letters moved back to the source they failed at'),
});
export class ReplayedDto extends createZodDto(replayedSchema) {}
