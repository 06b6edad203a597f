import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CORRELATION_ID_PATTERN } from './correlation-id';

export const spanViewSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional().describe('Absent for a root span'),
  service: z.string().describe('service.name of the span’s resource'),
  instance: z.string().optional().describe('service.instance.id of the span’s resource: the replica'),
  name: z.string(),
  kind: z.enum(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']),
  start: z.string().describe('When the span started (ISO 8601, milliseconds)'),
  startUnixNano: z.string().describe('When the span started, exactly (nanoseconds since the epoch, decimal)'),
  offsetMs: z.number().describe('Its start after the earliest span of this answer (ms): the bar’s offset'),
  durationMs: z.number().describe('How long it lasted (ms, to the microsecond): the bar’s width'),
  depth: z.number().int().min(0).describe('How deep under a span of this answer it is (0: a root, or its parent is not here)'),
  status: z.object({ code: z.enum(['unset', 'ok', 'error']), message: z.string().optional() }),
  correlationIds: z.array(z.string()).describe('The flows it belongs to (messaging.message.conversation_id, stitch.correlation_id)'),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('The attributes worth showing; not all'),
});

const waterfallFields = {
  start: z.string().optional().describe('The earliest span’s start (ISO 8601); absent when there is no span yet'),
  spans: z.array(spanViewSchema).describe('Waterfall order: each span after its parent, siblings by start'),
};

export const traceViewSchema = z.object({ traceId: z.string(), ...waterfallFields });
export class TraceViewDto extends createZodDto(traceViewSchema) {}

export const correlationTracesSchema = z.object({
  correlationId: z.string(),
  traceIds: z.array(z.string()).describe('The traces holding a span of this flow'),
  ...waterfallFields,
});
export class CorrelationTracesDto extends createZodDto(correlationTracesSchema) {}

export const traceIdParamsSchema = z.object({ traceId: z.string().regex(/^[0-9a-f]{32}$/, 'a trace id: 32 lowercase hex digits') });
export class TraceIdParamsDto extends createZodDto(traceIdParamsSchema) {}

export const correlationQuerySchema = z.object({
  correlationId: z.string().regex(CORRELATION_ID_PATTERN, 'a correlation id: 1 to 128 letters, digits, _ . : -'),
});
export class CorrelationQueryDto extends createZodDto(correlationQuerySchema) {}

export type SpanView = z.infer<typeof spanViewSchema>;
