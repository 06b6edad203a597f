import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** The record the messaging core emits after settling a message (FlowRecord in @stitch/messaging-core). */
export const flowRecordSchema = z
  .object({
    messageId: z.string(),
    type: z.string().describe('The versioned message type, e.g. order.place-order.v1'),
    kind: z.enum(['command', 'event', 'unknown']),
    from: z.string().describe('The service that sent or published it'),
    to: z.string().describe('The service that handled it'),
    instance: z.string().describe('The replica that handled it'),
    at: z.string(),
    outcome: z.enum(['handled', 'retried', 'dead-lettered']),
  });

export type FlowRecordView = z.infer<typeof flowRecordSchema>;

export class FlowRecordDto extends createZodDto(flowRecordSchema) {}
