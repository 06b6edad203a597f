import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { flowViewRecordSchema } from './flow-record.schema';

/** What one replica handled, as the flow records this storefront saw tell it. */
export const replicaCounterSchema = z.object({
  instance: z.string().describe('The replica, e.g. order-service-2'),
  service: z.string().describe('Its service'),
  command: z.number().int().min(0).describe('Commands it handled'),
  event: z.number().int().min(0).describe('Events it handled'),
  duplicate: z.number().int().min(0).describe('Repeats of messages already handled, completed without running the handler'),
  retried: z.number().int().min(0).describe('Deliveries that failed and were retried'),
  deadLettered: z.number().int().min(0).describe('Messages it gave up on'),
  restarts: z.number().int().min(0).describe('How often its supervisor restarted it'),
});
export type ReplicaCounter = z.infer<typeof replicaCounterSchema>;

export const recentFlowSchema = z.object({
  since: z.iso.datetime().describe('When this storefront replica started keeping them: what came before is not counted'),
  records: z
    .array(flowViewRecordSchema)
    .describe(
      'The most recent records, oldest first (at most 300): each a FlowRecord or a ReplicaStarted record, as GET /api/flow streams them',
    ),
  counters: z.array(replicaCounterSchema).describe('Per replica, everything counted since `since`, by replica name'),
});
export type RecentFlow = z.infer<typeof recentFlowSchema>;
export class RecentFlowDto extends createZodDto(recentFlowSchema) {}
