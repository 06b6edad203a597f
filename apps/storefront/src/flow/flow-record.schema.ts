import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** The record the messaging core emits after settling a message (FlowRecord in @stitch/messaging-core). */
export const flowRecordSchema = z.object({
  messageId: z.string(),
  type: z.string().describe('The versioned message type, e.g. order.place-order.v1'),
  kind: z.enum(['command', 'event', 'unknown']),
  from: z.string().describe('The service that sent or published it'),
  to: z.string().describe('The service that handled it'),
  instance: z.string().describe('The replica that handled it'),
  // Optional: a record from a service of an earlier version carries neither.
  correlationId: z.string().optional().describe('The business flow it belongs to (one checkout, one sign-up)'),
  traceId: z.string().optional().describe('The trace id of its W3C traceparent, when it carried one'),
  at: z.string(),
  outcome: z
    .enum(['handled', 'duplicate', 'retried', 'dead-lettered'])
    .describe('duplicate: a repeat of a message the service had already handled, completed without running the handler again'),
});

/** The record a replica publishes when it starts consuming (ReplicaStartedRecord in @stitch/messaging-core). */
export const replicaStartedSchema = z.object({
  event: z.literal('replica-started'),
  service: z.string(),
  instance: z.string().describe('The replica that started'),
  restarts: z.number().int().min(0).describe('How often its supervisor has restarted it: 0 on its first start'),
  at: z.string(),
});

/** What arrives on the flow channel: a settled message, or a replica that started. */
export const flowStreamRecordSchema = z.union([flowRecordSchema, replicaStartedSchema]);

/** A settled message as the storefront shows it: the record, and its message's name in the shop's catalogue. */
export const namedFlowRecordSchema = flowRecordSchema.extend({
  name: z
    .string()
    .optional()
    .describe('The message’s name in the catalogue, e.g. PlaceOrder; absent for a type the catalogue does not know'),
});

/** What /api/flow streams and /api/flow/recent lists. */
export const flowViewRecordSchema = z.union([namedFlowRecordSchema, replicaStartedSchema]);

export type FlowRecordView = z.infer<typeof flowViewRecordSchema>;

export class FlowRecordDto extends createZodDto(namedFlowRecordSchema) {}
export class ReplicaStartedDto extends createZodDto(replicaStartedSchema) {}
