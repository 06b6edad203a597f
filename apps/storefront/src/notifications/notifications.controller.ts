import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Controller, Get, Headers, Inject, Query, Res, type OnModuleDestroy } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Services } from '@stitch/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { storefrontConfig, type StorefrontConfig } from '../config/storefront.config';
import { InvalidRequestDto, UpstreamErrorDto } from '../http/api-error';
import { serverSentEventSchema } from '../http/api-responses';
import { UpstreamClient } from '../upstream/upstream.client';

export const notificationsQuerySchema = z.object({ userId: z.uuid().optional().describe('Only this user’s notifications') });
export class NotificationsQueryDto extends createZodDto(notificationsQuerySchema) {}

/**
 * Relays notification-service's browser stream, so the page talks to one origin only. NOTIFICATION_URL may be one
 * replica or a load balancer in front of several: every replica streams every notification.
 */
@ApiTags('notifications')
@Controller('api/notifications')
export class NotificationsController implements OnModuleDestroy {
  private readonly open = new Set<AbortController>();

  constructor(
    @Inject(UpstreamClient) private readonly upstream: UpstreamClient,
    @Inject(storefrontConfig.KEY) private readonly config: StorefrontConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Server-sent events from notification-service (sign-up and order updates), relayed as they come' })
  @ApiOkResponse({ description: 'An endless stream, exactly as notification-service sends it', content: { 'text/event-stream': { schema: serverSentEventSchema() } } })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received: the stream resumes after it, missing nothing' })
  @ApiBadRequestResponse({ type: InvalidRequestDto, description: 'userId is not a UUID' })
  @ApiServiceUnavailableResponse({ type: UpstreamErrorDto, description: 'notification-service cannot be reached' })
  async relay(@Query() query: NotificationsQueryDto, @Headers('last-event-id') lastEventId: string | undefined, @Res() response: ServerResponse): Promise<void> {
    const upstreamUrl = new URL(`${this.config.notificationUrl}/notifications`);
    if (query.userId) upstreamUrl.searchParams.set('userId', query.userId);
    const abort = new AbortController();
    this.open.add(abort);
    const done = () => {
      this.open.delete(abort);
      abort.abort();
    };
    // The browser leaving (or the relay ending) closes the response; the upstream stream goes with it.
    response.on('close', done);
    try {
      // A reconnecting browser's Last-Event-ID goes along, so the stream resumes where it left off.
      const headers: Record<string, string> = lastEventId ? { 'last-event-id': lastEventId } : {};
      const upstream = await this.upstream.openStream(Services.notification, upstreamUrl.toString(), abort.signal, headers);
      response.writeHead(200, {
        'content-type': upstream.headers.get('content-type') ?? 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        // Stops proxies such as nginx from buffering the stream.
        'x-accel-buffering': 'no',
      });
      response.flushHeaders();
      Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>)
        .on('error', () => response.end())
        .pipe(response);
    } catch (error) {
      done();
      throw error;
    }
  }

  /** Ends relayed streams before the HTTP server closes, so an open page does not hold shutdown up. */
  onModuleDestroy(): void {
    for (const abort of this.open) abort.abort();
  }
}
