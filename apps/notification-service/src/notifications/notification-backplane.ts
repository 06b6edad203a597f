import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Services } from '@stitch/manifest';
import { MessagingRuntime } from '@stitch/messaging-core';
import { databaseConfig, postgresConnection, serviceDatabaseUrl, type DatabaseConfig } from '@stitch/persistence';
import { notificationConfig, type NotificationConfig } from '../config/notification.config';
import { NotificationFeed } from './notification-feed';
import { NotificationListener } from './notification-listener';
import { NOTIFICATION_CHANNEL, NotificationStore } from './notification-store';

const PAGE = 500;
const READ_RETRY_MS = 1_000;

/**
 * What makes every replica push every notification, whichever replica handled its event: the database is the
 * backplane. A replica listens on the channel each stored notification is announced on, reads the rows after the
 * last one it pushed, in seq order, and pushes them to its browsers. It reads again each time its listening
 * connection comes back, so a notification announced while it was away is pushed late, never lost. It also prunes
 * notifications older than the retention.
 */
@Injectable()
export class NotificationBackplane implements OnModuleInit, BeforeApplicationShutdown {
  private readonly listener: NotificationListener;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<unknown> | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    @Inject(NotificationStore) private readonly store: NotificationStore,
    @Inject(NotificationFeed) private readonly feed: NotificationFeed,
    @Inject(MessagingRuntime) private readonly runtime: MessagingRuntime,
    @Inject(notificationConfig.KEY) private readonly config: NotificationConfig,
    @Inject(databaseConfig.KEY) database: DatabaseConfig,
  ) {
    this.listener = new NotificationListener({
      connection: postgresConnection(serviceDatabaseUrl(database.serverUrl, Services.notification), database.connection),
      channel: NOTIFICATION_CHANNEL,
      retryMaxMs: config.listenRetryMaxMs,
      logger: runtime.logger,
      onNotify: () => this.catchUp(),
      onListening: () => this.catchUp(),
    });
  }

  async onModuleInit(): Promise<void> {
    // A hybrid app (HTTP + the message consumer) runs the init hooks once for each: start once.
    this.starting ??= this.start();
    await this.starting;
  }

  private async start(): Promise<void> {
    await this.listener.start();
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), this.config.pruneIntervalMs).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pruneTimer);
    clearTimeout(this.retryTimer);
    await this.listener.stop();
    await Promise.all([this.reading, this.pruning]);
  }

  /** Reads and pushes what is stored after the last seq pushed; a call while reading makes it read once more. */
  catchUp(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readAll().finally(() => (this.reading = undefined));
  }

  private async readAll(): Promise<void> {
    do {
      this.readAgain = false;
      try {
        for (;;) {
          const rows = await this.store.after(this.feed.lastSeq, PAGE);
          this.feed.push(rows);
          if (rows.length < PAGE || this.stopped) break;
        }
      } catch (error) {
        // Nothing is lost: the next read starts after the last seq pushed. Retry soon in case no other wake comes.
        this.runtime.logger.warn({ err: (error as Error).message }, 'could not read the stored notifications; retrying');
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.catchUp(), READ_RETRY_MS).unref();
        return;
      }
    } while (this.readAgain && !this.stopped);
  }

  private prune(): void {
    if (this.stopped || this.pruning) return;
    const before = new Date(Date.now() - this.config.retentionMs);
    this.pruning = this.store
      .prune(before)
      .then(
        (count) => count > 0 && this.runtime.logger.debug({ count, before }, 'pruned old notifications'),
        (error: unknown) => this.runtime.logger.warn({ err: (error as Error).message }, 'could not prune old notifications'),
      )
      .finally(() => (this.pruning = undefined));
  }
}
