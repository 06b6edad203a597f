import { Controller, Get, Inject, type MessageEvent, Sse } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ZodResponse } from 'nestjs-zod';
import { map, type Observable } from 'rxjs';
import { serverSentEventSchema } from '../http/api-responses';
import { FlowFeed } from './flow-feed';
import { FlowHistory } from './flow-history';
import { FlowRecordDto, ReplicaStartedDto } from './flow-record.schema';
import { RecentFlowDto, type RecentFlow } from './recent-flow.schema';

@ApiTags('flow')
@Controller('api/flow')
export class FlowController {
  constructor(
    @Inject(FlowFeed) private readonly feed: FlowFeed,
    @Inject(FlowHistory) private readonly history: FlowHistory,
  ) {}

  @Get('recent')
  @ApiOperation({
    summary:
      'What the live view has missed: the recent records and, per replica, what it handled, kept by this storefront replica since it started',
    description:
      'A page loads this once, then follows GET /api/flow. Open the stream first and skip the streamed records that are already here ' +
      '(the same messageId, to, instance, outcome and at): then nothing is missed and nothing counted twice.',
  })
  @ZodResponse({ status: 200, type: RecentFlowDto, description: 'The recent records, oldest first, and the counters' })
  recent(): RecentFlow {
    return this.history.recent();
  }

  @Sse()
  @ApiOperation({ summary: 'Live view: every message settled by any service, and every replica that (re)started, as server-sent events' })
  @ApiOkResponse({
    description: 'An endless stream; each `data:` line is one FlowRecord as JSON (its `id` the message id) or one ReplicaStarted record',
    content: {
      'text/event-stream': {
        schema: serverSentEventSchema({ oneOf: [{ $ref: getSchemaPath(FlowRecordDto) }, { $ref: getSchemaPath(ReplicaStartedDto) }] }),
      },
    },
  })
  stream(): Observable<MessageEvent> {
    return this.feed.stream.pipe(map((record) => ('messageId' in record ? { data: record, id: record.messageId } : { data: record })));
  }
}
