import { Controller, Inject, type MessageEvent, Sse } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { map, type Observable } from 'rxjs';
import { serverSentEventSchema } from '../http/api-responses';
import { FlowFeed } from './flow-feed';
import { FlowRecordDto, ReplicaStartedDto } from './flow-record.schema';

@ApiTags('flow')
@Controller('api/flow')
export class FlowController {
  constructor(@Inject(FlowFeed) private readonly feed: FlowFeed) {}

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
