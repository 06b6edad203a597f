import { BadRequestException, Controller, Inject, Query, Sse, type MessageEvent } from '@nestjs/common';
import { z } from 'zod';
import { endWith, ignoreElements, interval, map, merge, Observable, of, takeUntil } from 'rxjs';
import { notificationConfig, type NotificationConfig } from '../config/notification.config';
import { NotificationFeed } from './notification-feed';

const userIdQuery = z.uuid().optional();

@Controller()
export class NotificationsController {
  constructor(
    @Inject(NotificationFeed) private readonly feed: NotificationFeed,
    @Inject(notificationConfig.KEY) private readonly config: NotificationConfig,
  ) {}

  /**
   * Server-sent events: one `data:` line (JSON) per notification, with the message id as event id. It starts with
   * a comment, so a client sees the stream open at once, and an idle one gets a comment every heartbeat, so
   * proxies keep it open. Optional `?userId=` narrows it to one user's notifications.
   */
  @Sse('notifications')
  stream(@Query('userId') userId?: string): Observable<MessageEvent> {
    const parsed = userIdQuery.safeParse(userId);
    if (!parsed.success) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'userId must be a UUID', field: 'userId' });
    const notifications = this.feed.notifications(parsed.data);
    // The heartbeat never ends by itself: the stream ends when the feed does (at shutdown).
    const ended = notifications.pipe(ignoreElements(), endWith(true));
    return merge(
      of<MessageEvent>({ comment: 'connected' }),
      notifications.pipe(map((notification): MessageEvent => ({ id: notification.id, data: notification }))),
      interval(this.config.heartbeatMs).pipe(map((): MessageEvent => ({ comment: 'heartbeat' }))),
    ).pipe(takeUntil(ended));
  }
}
