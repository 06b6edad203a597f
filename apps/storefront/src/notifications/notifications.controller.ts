import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Controller, Get, Headers, Inject, Res, UseGuards, type OnModuleDestroy } from '@nestjs/common';
import {
  ApiCookieAuth,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Services } from '@stitch/manifest';
import { storefrontConfig, type StorefrontConfig } from '../config/storefront.config';
import { ApiErrorDto, UpstreamErrorDto } from '../http/api-error';
import { serverSentEventSchema } from '../http/api-responses';
import { SESSION_COOKIE } from '../session/customer-session';
import { CustomerId, SessionGuard } from '../session/session.guard';
import { UpstreamClient } from '../upstream/upstream.client';

/**
 * Relays notification-service's stream of the session's customer, so the page talks to one origin only. The relay
 * always asks for that one customer's notifications: notification-service's unfiltered stream (everyone's names,
 * orders and totals) is for services, never for a browser. NOTIFICATION_URL may be one replica or a load balancer
 * in front of several: every replica streams every notification.
 */
@ApiTags('notifications')
@ApiCookieAuth(SESSION_COOKIE)
@UseGuards(SessionGuard)
@Controller('api/notifications')
export class NotificationsController implements OnModuleDestroy {
  private readonly open = new Set<AbortController>();

  constructor(
    @Inject(UpstreamClient) private readonly upstream: UpstreamClient,
    @Inject(storefrontConfig.KEY) private readonly config: StorefrontConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The session customer’s server-sent events from notification-service (sign-up and order updates), relayed as they come',
  })
  @ApiOkResponse({
    description: 'An endless stream, exactly as notification-service sends it',
    content: { 'text/event-stream': { schema: serverSentEventSchema() } },
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The id of the last event received: the stream resumes after it, missing nothing',
  })
  @ApiUnauthorizedResponse({ type: ApiErrorDto, description: 'No customer session (sign up first), or it is forged or expired' })
  @ApiServiceUnavailableResponse({ type: UpstreamErrorDto, description: 'notification-service cannot be reached' })
  async relay(
    @CustomerId() customerId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const upstreamUrl = new URL(`${this.config.notificationUrl}/notifications`);
    upstreamUrl.searchParams.set('userId', customerId);
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
