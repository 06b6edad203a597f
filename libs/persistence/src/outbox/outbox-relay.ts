import { context, metrics, ROOT_CONTEXT, SpanKind, type Histogram } from '@opentelemetry/api';
import {
  creationContext,
  linksTo,
  messagingSystem,
  messagingTracer,
  settleSpan,
  type Destination,
  type Logger,
  type TraceCarrier,
  type Transport,
} from '@stitch/messaging-core';
import type { Database } from '../database/database';
import type { PrismaClientLike } from '../database/prisma-client';
import { toOutgoing, type OutboxRow } from './outbox-row';
import { TurnBatch } from './turn-batch';

export interface OutboxRelayOptions {
  readonly database: Database<PrismaClientLike>;
  readonly transport: Pick<Transport, 'send'> & { readonly name?: string };
  readonly logger: Logger;
  /** Rows claimed per transaction. Default 100. */
  readonly batchSize?: number;
  /**
   * How often to look for rows nobody woke us for: those a crashed process committed but never sent, those
   * whose sending failed, those another replica's dispatcher wrote. Default 1 000 ms.
   */
  readonly recheckMs?: number;
  /** How long one batch may take, sending included, before its transaction is rolled back. Default 60 000 ms. */
  readonly batchTimeoutMs?: number;
  /**
   * How long after its commit a row is left to the process that wrote it, which hands it over at once
   * (`handOff`); a row still there after this was not handed over (the process died, the send failed) and the
   * relay's checks send it. A hand-off slower than this sends a message twice, which the receiver's inbox
   * absorbs. Default 5 000 ms.
   */
  readonly handOffGraceMs?: number;
}

// SKIP LOCKED: the rows another relay (a replica, or a second relay here) is sending are locked by its
// transaction until it has deleted them, so each relay claims other rows and none is sent twice.
const LEFT_OVER = `created_at < clock_timestamp() - $1::int * interval '1 millisecond'`;
const CLAIM = `SELECT id::text AS id, destination_kind, destination_name, message_id, type, correlation_id, body, headers,
    (extract(epoch FROM not_before) * 1000)::float8 AS not_before_ms, (extract(epoch FROM created_at) * 1000)::float8 AS created_at_ms
  FROM stitch_outbox WHERE ${LEFT_OVER} ORDER BY id LIMIT $2::int FOR UPDATE SKIP LOCKED`;
const DELETE = 'DELETE FROM stitch_outbox WHERE id = ANY($1::bigint[])';
// The same, without waiting for its commit to reach the disk (synchronous_commit off for this one transaction): a
// delete lost in a crash only sends its rows again, which their receivers' inboxes skip. A durable commit after it
// flushes it too. Saves a WAL flush per message sent.
const DELETE_SENT = `WITH deleted AS (${DELETE}) SELECT set_config('synchronous_commit', 'off', true)`;
// One round trip instead of a transaction's four when there is nothing to send, as on most rechecks.
const ANY_PENDING = `SELECT EXISTS (SELECT 1 FROM stitch_outbox WHERE ${LEFT_OVER}) AS pending`;

/**
 * Sends the committed rows of `stitch_outbox` with the transport, then deletes them. The rows a transaction
 * wrote are handed over right after its commit (`handOff`) and sent at once, without reading them back; the
 * relay's own checks are the backstop for rows nobody handed over, sent in batches grouped by destination.
 * Delivery is at least once: a process that dies between sending and deleting sends those rows again later,
 * and the receiving service's inbox absorbs the repeat.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private wanted = false;
  private stopping = false;
  private readonly sendDelay: Histogram;
  private readonly graceMs: number;
  private readonly handOffs = new Set<Promise<void>>();
  private readonly handedOff = new TurnBatch<OutboxRow>(
    (rows) => context.with(ROOT_CONTEXT, () => this.sendHandedOff(rows)),
    (flushed) => this.track(flushed),
  );
  // Sends finishing in the same turn share one DELETE, which flush() waits for as well.
  private readonly sent = new TurnBatch<string>(
    (ids) => this.deleteSent(ids),
    (flushed) => this.track(flushed),
  );

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.graceMs = options.handOffGraceMs ?? 5_000;
    this.sendDelay = metrics.getMeter('@stitch/persistence').createHistogram('stitch.outbox.send_delay', {
      description: 'How long a message waited in stitch_outbox between its commit and its sending',
      unit: 's',
    });
  }

  /** Sends what is already there, then whenever woken and every `recheckMs`. */
  start(): void {
    if (this.timer) return;
    this.stopping = false;
    this.timer = setInterval(() => this.wake(), this.options.recheckMs ?? 1_000);
    this.timer.unref();
    this.wake();
  }

  /** Something was committed: send soon. Cheap and idempotent; a wake during a pass makes one more pass. */
  wake(): void {
    if (this.stopping) return;
    this.wanted = true;
    // Whoever woke the relay (a handler, a request) is not what it works for: its queries belong to no trace,
    // and each send joins the trace of the messages it sends.
    this.pass ??= context
      .with(ROOT_CONTEXT, () => this.run())
      .finally(() => {
        this.pass = undefined;
        // A wake that came after the loop's last look but before this point would otherwise wait for the timer.
        if (this.wanted) this.wake();
      });
  }

  /**
   * Sends rows that have just committed, at once, beside any relay pass; then deletes them. The rows of commits that
   * finish in the same turn of the event loop go together, one send per destination (under load, many), and so do
   * their deletes. Works after stop() too: the last handlers' rows at shutdown. What cannot be sent or deleted stays
   * in the table for the relay's checks.
   */
  handOff(rows: readonly OutboxRow[]): void {
    this.handedOff.add(rows);
  }

  private track(work: Promise<void>): void {
    this.handOffs.add(work);
    void work.finally(() => this.handOffs.delete(work));
  }

  /** Stops the timer and waits for the batch in hand; rows left are sent by the next start or another replica. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  /**
   * Waits for the hand-offs in flight, then sends what is left over, once, also after stop(): at shutdown.
   * Best effort: what cannot be sent stays for the next start or another replica.
   */
  async flush(): Promise<void> {
    await this.settleHandOffs();
    await this.pass;
    try {
      for (;;) {
        const { claimed, failed } = await this.relayBatch();
        if (claimed < this.batchSize || failed) return;
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'outbox relay could not flush stitch_outbox; the rows stay for the next start');
    }
  }

  private async run(): Promise<void> {
    while (this.wanted && !this.stopping) {
      this.wanted = false;
      try {
        const { claimed, failed } = await this.relayBatch();
        // A full batch sent means there may be more; a failure waits for the next check instead of spinning.
        if (claimed === this.batchSize && !failed) this.wanted = true;
      } catch (error) {
        this.wanted = false;
        this.options.logger.warn({ err: error }, 'outbox relay could not read or update stitch_outbox; trying again at the next check');
        return;
      }
    }
  }

  private async settleHandOffs(): Promise<void> {
    while (this.handOffs.size > 0) await Promise.all([...this.handOffs]);
  }

  private async sendHandedOff(rows: readonly OutboxRow[]): Promise<void> {
    // Destinations are independent: none waits for another's send.
    await Promise.all(groupByDestination(rows).map(({ destination, group }) => this.sendOneHandOff(destination, group)));
  }

  private async sendOneHandOff(destination: Destination, group: readonly OutboxRow[]): Promise<void> {
    try {
      await this.send(destination, group);
    } catch (error) {
      this.options.logger.warn(
        { err: error, destination, count: group.length },
        'could not send outbox messages after their commit; the relay sends them at a later check',
      );
      return;
    }
    this.sent.add(group.map((row) => row.id));
  }

  private async deleteSent(ids: readonly string[]): Promise<void> {
    try {
      await this.options.database.root.$queryRawUnsafe(DELETE_SENT, ids);
    } catch (error) {
      this.options.logger.warn(
        { err: error, count: ids.length },
        'could not delete sent outbox rows; the relay sends them again at a later check, and their receivers skip the repeat',
      );
    }
  }

  private async relayBatch(): Promise<{ claimed: number; failed: boolean }> {
    const { database, logger } = this.options;
    const [probe] = await database.root.$queryRawUnsafe<Array<{ pending: boolean }>>(ANY_PENDING, this.graceMs);
    if (!probe?.pending) return { claimed: 0, failed: false };
    // The relay's own transaction on the root client, never one a caller happens to be in.
    return database.root.$transaction(
      async (transaction) => {
        const client = transaction as PrismaClientLike;
        const rows = await client.$queryRawUnsafe<OutboxRow[]>(CLAIM, this.graceMs, this.batchSize);
        let failed = false;
        for (const { destination, group } of groupByDestination(rows)) {
          try {
            await this.send(destination, group);
            await client.$executeRawUnsafe(
              DELETE,
              group.map((row) => row.id),
            );
            logger.debug({ destination, count: group.length }, 'relayed outbox messages');
          } catch (error) {
            failed = true;
            logger.warn({ err: error, destination, count: group.length }, 'could not send outbox messages; trying again at the next check');
          }
        }
        return { claimed: rows.length, failed };
      },
      { timeout: this.options.batchTimeoutMs ?? 60_000 },
    );
  }

  /**
   * The actual send, in a CLIENT span linked to each message's producer span (and the child of it when it sends
   * one message, as it mostly does), so the trace shows how long a message waited in the outbox.
   */
  private send(destination: Destination, group: readonly OutboxRow[]): Promise<void> {
    const { transport } = this.options;
    const carriers = group.map(traceCarrierOf);
    const parent = group.length === 1 && carriers[0] ? creationContext(carriers[0]) : ROOT_CONTEXT;
    const attributes = {
      'messaging.system': messagingSystem(transport.name ?? 'unknown'),
      'messaging.destination.name': destination.name,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.batch.message_count': group.length,
      ...(group.length === 1 && group[0] ? { 'messaging.message.id': group[0].message_id } : {}),
    };
    return messagingTracer().startActiveSpan(
      `send ${destination.name}`,
      { kind: SpanKind.CLIENT, attributes, links: linksTo(carriers) },
      parent,
      (span) =>
        settleSpan(span, async () => {
          await transport.send(destination, group.map(toOutgoing));
          const now = Date.now();
          for (const row of group)
            this.sendDelay.record(Math.max(0, now - row.created_at_ms) / 1000, { 'messaging.destination.name': destination.name });
        }),
    );
  }
}

/** The trace context the stored CloudEvent carries; none when the body cannot be read (the consumer will say so). */
function traceCarrierOf(row: OutboxRow): TraceCarrier {
  try {
    const { traceparent, tracestate } = JSON.parse(row.body) as { traceparent?: unknown; tracestate?: unknown };
    return {
      ...(typeof traceparent === 'string' ? { traceparent } : {}),
      ...(typeof tracestate === 'string' ? { tracestate } : {}),
    };
  } catch {
    return {};
  }
}

/** In the order of each destination's oldest row; rows keep their order within a destination. */
function groupByDestination(rows: readonly OutboxRow[]): Array<{ destination: Destination; group: OutboxRow[] }> {
  const byKey = new Map<string, { destination: Destination; group: OutboxRow[] }>();
  for (const row of rows) {
    const key = `${row.destination_kind}:${row.destination_name}`;
    const entry = byKey.get(key) ?? { destination: { kind: row.destination_kind, name: row.destination_name }, group: [] };
    entry.group.push(row);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}
