import { Controller, Get, Inject, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ZodResponse } from 'nestjs-zod';
import { ApiErrorDto, InvalidRequestDto } from '../http/api-error';
import { SpanStore } from './span-store';
import { TraceViewEnabledGuard } from './trace-view-enabled.guard';
import { CorrelationQueryDto, CorrelationTracesDto, TraceIdParamsDto, TraceViewDto } from './trace.schemas';
import { waterfall } from './waterfall';

@ApiTags('traces')
@ApiNotFoundResponse({ type: ApiErrorDto, description: 'The trace view is off (TRACE_VIEW_ENABLED), or no span of that trace is kept' })
@UseGuards(TraceViewEnabledGuard)
@Controller('api/traces')
export class TracesController {
  constructor(@Inject(SpanStore) private readonly store: SpanStore) {}

  @Get()
  @ApiOperation({
    summary: 'The spans of one business flow (a checkout), from every service, ready for a waterfall',
    description: 'Every trace holding a span whose messaging.message.conversation_id (or stitch.correlation_id) is the correlation id.',
  })
  @ZodResponse({ status: 200, type: CorrelationTracesDto, description: 'Its spans so far; none yet is an empty list' })
  @ApiBadRequestResponse({ type: InvalidRequestDto, description: 'correlationId is missing or not a correlation id' })
  byCorrelation(@Query() query: CorrelationQueryDto) {
    const traceIds = this.store.tracesOf(query.correlationId);
    const spans = traceIds.flatMap((traceId) => this.store.trace(traceId) ?? []);
    return { correlationId: query.correlationId, traceIds, ...waterfall(spans) };
  }

  @Get(':traceId')
  @ApiOperation({ summary: 'The spans of one trace, from every service, ready for a waterfall' })
  @ZodResponse({ status: 200, type: TraceViewDto, description: 'Its spans so far' })
  @ApiBadRequestResponse({ type: InvalidRequestDto, description: 'Not a trace id (32 lowercase hex digits)' })
  byTraceId(@Param() params: TraceIdParamsDto) {
    const spans = this.store.trace(params.traceId);
    if (!spans) throw new NotFoundException({ message: `No span of trace ${params.traceId} is kept: not received yet, or dropped` });
    return { traceId: params.traceId, ...waterfall(spans) };
  }
}
