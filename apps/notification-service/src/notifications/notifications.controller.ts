import { BadRequestException, Controller, Headers, Inject, Query, Sse, type MessageEvent } from '@nestjs/common';
import { z } from 'zod';
import { endWith, ignoreElements, interval, map, merge, Observable, of, takeUntil } from 'rxjs';
import { notificationConfig, type NotificationConfig } from '../config/notification.config';
import { NotificationFeed, replayThenLive } from './notification-feed';
import { NotificationStore } from './notification-store';

const userIdQuery = z.uuid().optional();

/**
 * The seq a browser resumes after, from its Last-Event-ID header. Anything else (none, or an id from before ids
 * were seqs) starts the stream live: refusing it would stop an EventSource from ever reconnecting.
 */
export function resumeAfter(lastEventId: string | undefined): bigint | undefined {
  return lastEventId !== undefined && /^\d{1,18}$/.test(lastEventId.trim()) ? BigInt(lastEventId.trim()) : undefined;
}

@Controller()
export class NotificationsController {
  constructor(
    @Inject(NotificationFeed) private readonly feed: NotificationFeed,
    @Inject(NotificationStore) private readonly store: NotificationStore,
    @Inject(notificationConfig.KEY) private readonly config: NotificationConfig,
  ) {}

  /**
   * Server-sent events: one `data:` line (JSON) per notification, with its seq as event id. It starts with a
   * comment, so a client sees the stream open at once, and an idle one gets a comment every heartbeat, so proxies
   * keep it open. Optional `?userId=` narrows it to one user's notifications. A browser that reconnects with
   * `Last-Event-ID` first gets the stored notifications after that seq, then the live ones, none twice.
   */
  @Sse('notifications')
  stream(@Query('userId') userId?: string, @Headers('last-event-id') lastEventId?: string): Observable<MessageEvent> {
    const parsed = userIdQuery.safeParse(userId);
    if (!parsed.success)
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'userId must be a UUID', field: 'userId' });
    const user = parsed.data;
    const after = resumeAfter(lastEventId);
    const live = this.feed.live(user);
    const notifications = after === undefined ? live : replayThenLive(after, (seq, limit) => this.store.after(seq, limit, user), live);
    // The heartbeat never ends by itself: the stream ends when the feed does (at shutdown).
    const ended = live.pipe(ignoreElements(), endWith(true));
    return merge(
      of<MessageEvent>({ comment: 'connected' }),
      notifications.pipe(map((row): MessageEvent => ({ id: row.seq.toString(), data: row.notification }))),
      interval(this.config.heartbeatMs).pipe(map((): MessageEvent => ({ comment: 'heartbeat' }))),
    ).pipe(takeUntil(ended));
  }
}
