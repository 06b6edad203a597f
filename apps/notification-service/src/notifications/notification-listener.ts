import pg from 'pg';
import type { Logger } from '@stitch/messaging-core';

export interface ListenerOptions {
  /** The service's own database, as `postgresConnection` builds every connection to it. */
  readonly connection: pg.ClientConfig;
  readonly channel: string;
  /** The longest wait between reconnection attempts. */
  readonly retryMaxMs: number;
  readonly logger: Logger;
  /** A notification was announced on the channel. */
  readonly onNotify: () => void;
  /** The connection listens (again): whatever was announced while it did not must be read now. */
  readonly onListening: () => void;
}

interface Connection {
  readonly client: pg.Client;
  /** Resolves when the connection drops (with its error, if any) or is ended. */
  readonly lost: Promise<Error | undefined>;
}

/** The wait before reconnection attempt `attempt` (0 first): 100 ms, doubled per attempt, capped at `maxMs`. */
export function reconnectDelay(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 100 * 2 ** Math.min(attempt, 20));
}

/**
 * One dedicated PostgreSQL connection that LISTENs on the channel: a pooled one cannot, since LISTEN belongs to a
 * session. When it drops it is reconnected with backoff, and each time it listens again `onListening` runs, so the
 * caller catches up from the last notification it pushed and nothing announced meanwhile is missed.
 */
export class NotificationListener {
  private stopped = false;
  private current: pg.Client | undefined;
  private wakeSleeper: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: ListenerOptions) {}

  /** Resolves once the connection listens; rejects if the first connection fails (the service cannot start). */
  async start(): Promise<void> {
    const connection = await this.connect();
    this.running = this.keep(connection);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSleeper?.();
    await this.current?.end().catch(() => undefined);
    await this.running;
  }

  /** Whether the connection currently listens. */
  get listening(): boolean {
    return this.current !== undefined;
  }

  private async connect(): Promise<Connection> {
    const client = new pg.Client({
      ...this.options.connection,
      application_name: 'stitch-notification-listener',
      keepAlive: true,
    });
    // Attached before anything can go wrong, so no drop goes unseen; an 'error' without a listener would crash.
    const lost = new Promise<Error | undefined>((resolve) => {
      client.on('error', resolve);
      client.on('end', () => resolve(undefined));
    });
    client.on('notification', (message) => {
      if (message.channel === this.options.channel) this.options.onNotify();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.current = client;
    this.options.onListening();
    return { client, lost };
  }

  /** Waits for the connection to drop, then reconnects until it listens again or the listener stops. */
  private async keep(first: Connection): Promise<void> {
    let connection: Connection | undefined = first;
    while (!this.stopped) {
      if (connection) {
        const error = await connection.lost;
        this.current = undefined;
        await connection.client.end().catch(() => undefined);
        if (this.stopped) return;
        this.options.logger.warn({ err: error?.message }, 'the notification listener lost its connection; reconnecting');
        connection = undefined;
      }
      for (let attempt = 0; !connection && !this.stopped; attempt++) {
        await this.sleep(reconnectDelay(attempt, this.options.retryMaxMs));
        if (this.stopped) return;
        try {
          connection = await this.connect();
          this.options.logger.info({ attempts: attempt + 1 }, 'the notification listener listens again');
        } catch (error) {
          this.options.logger.warn(
            { err: (error as Error).message, attempt: attempt + 1 },
            'the notification listener could not reconnect',
          );
        }
      }
    }
    // Stopped while a reconnection was being made.
    this.current = undefined;
    await connection?.client.end().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
