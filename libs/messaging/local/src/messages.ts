import type { StatementSync } from 'node:sqlite';
import type { IncomingMessage, OutgoingMessage } from '@stitch/messaging-core';
import { integer, jsonIntegers, optionalInteger, text, type Database, type Row } from './sqlite';

/** The reason the broker itself gives, as Service Bus does, when a message was delivered too often. */
export const MAX_DELIVERY_COUNT_EXCEEDED = 'MaxDeliveryCountExceeded';

/** A locked row; the token proves, when it is settled, that the lock was not lost in the meantime. */
export interface Lock {
  readonly seq: number;
  readonly token: string;
}

export interface LockedMessage extends Lock {
  readonly message: IncomingMessage;
  readonly attempt: number;
}

export interface LockRequest {
  readonly address: string;
  readonly maxDeliveryCount: number;
  /** Who holds the locks, so one statement can renew them all. */
  readonly consumer: string;
  /** Unique per lock taken: a row re-locked after its lease lapsed gets a new token. */
  readonly token: string;
  readonly limit: number;
  readonly lockMs: number;
}

export type Settlement =
  | { readonly kind: 'complete' }
  | { readonly kind: 'retry'; readonly visibleAt: number }
  | { readonly kind: 'deadLetter'; readonly reason: string; readonly description: string; readonly at: number };

export interface LockedSettlement {
  readonly lock: Lock;
  readonly settlement: Settlement;
}

export function incomingMessage(row: Row): IncomingMessage {
  return {
    messageId: text(row, 'message_id'),
    type: text(row, 'type'),
    correlationId: text(row, 'correlation_id'),
    body: text(row, 'body'),
    headers: JSON.parse(text(row, 'headers')) as Record<string, string>,
    enqueuedAt: integer(row, 'enqueued_at'),
  };
}

const DEAD_LETTER_COLUMNS =
  'address, message_id, type, correlation_id, body, headers, enqueued_at, reason, description, dead_lettered_at, attempts';

/** The messages table: sending, locking, renewing and settling; each method is one atomic unit for other processes. */
export class MessageStore {
  private readonly insert: StatementSync;
  private readonly fanOut: StatementSync;
  private readonly limit: StatementSync;
  private readonly earliest: StatementSync;
  private readonly count: StatementSync;
  private readonly lockNext: StatementSync;
  private readonly backstop: StatementSync;
  private readonly remove: StatementSync;
  private readonly renewLeases: StatementSync;
  private readonly completeLocked: StatementSync;
  private readonly retryLocked: StatementSync;
  private readonly deadLetterLocked: StatementSync;

  constructor(private readonly db: Database) {
    this.insert = db.prepare(
      `INSERT INTO messages (address, message_id, type, correlation_id, body, headers, enqueued_at, visible_at)
       VALUES (:address, :messageId, :type, :correlationId, :body, :headers, :now, :visibleAt)`,
    );
    // Fan-out happens in SQL: one copy per subscription whose rules name the type, none if nobody subscribes.
    this.fanOut = db.prepare(
      `INSERT INTO messages (address, message_id, type, correlation_id, body, headers, enqueued_at, visible_at)
       SELECT address, :messageId, :type, :correlationId, :body, :headers, :now, :visibleAt
       FROM rules WHERE topic = :topic AND type = :type`,
    );
    this.limit = db.prepare('SELECT max_delivery_count FROM addresses WHERE address = ?');
    this.earliest = db.prepare('SELECT MIN(visible_at) AS at FROM messages WHERE address = ?');
    this.count = db.prepare('SELECT count(*) AS waiting FROM messages WHERE address = ?');
    // Peek-lock in one statement: the lease is the new visible_at, so a consumer that dies just lets it lapse.
    this.lockNext = db.prepare(
      `UPDATE messages
       SET visible_at = :leaseUntil, delivery_count = delivery_count + 1, lock_token = :token, locked_by = :consumer
       WHERE seq IN (
         SELECT seq FROM messages WHERE address = :address AND visible_at <= :now ORDER BY visible_at, seq LIMIT :limit
       )
       RETURNING seq, message_id, type, correlation_id, body, headers, enqueued_at, delivery_count`,
    );
    this.backstop = db.prepare(
      `INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS})
       SELECT address, message_id, type, correlation_id, body, headers, enqueued_at, :reason, :description, :now, delivery_count - 1
       FROM messages WHERE seq IN (SELECT value FROM json_each(:seqs)) ORDER BY seq`,
    );
    this.remove = db.prepare('DELETE FROM messages WHERE seq IN (SELECT value FROM json_each(?))');
    this.renewLeases = db.prepare(
      'UPDATE messages SET visible_at = :leaseUntil WHERE seq IN (SELECT value FROM json_each(:seqs)) AND locked_by = :consumer',
    );
    this.completeLocked = db.prepare('DELETE FROM messages WHERE seq = ? AND lock_token = ?');
    this.retryLocked = db.prepare(
      'UPDATE messages SET visible_at = ?, lock_token = NULL, locked_by = NULL WHERE seq = ? AND lock_token = ?',
    );
    this.deadLetterLocked = db.prepare(
      `INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS})
       SELECT address, message_id, type, correlation_id, body, headers, enqueued_at, :reason, :description, :at, delivery_count
       FROM messages WHERE seq = :seq AND lock_token = :token`,
    );
  }

  enqueue(address: string, messages: readonly OutgoingMessage[], now: number): void {
    this.db.write(() => {
      for (const message of messages) this.insert.run({ address, ...columns(message, now) });
    });
  }

  publish(topic: string, messages: readonly OutgoingMessage[], now: number): void {
    this.db.write(() => {
      for (const message of messages) this.fanOut.run({ topic, ...columns(message, now) });
    });
  }

  maxDeliveryCount(address: string): number {
    const row = this.db.read(() => this.limit.get(address));
    if (row === undefined) throw new Error(`Local transport: address ${address} does not exist; was start() called?`);
    return integer(row, 'max_delivery_count');
  }

  /** When the next message of the address becomes (or became) visible; an index lookup, cheap enough to ask often. */
  earliestVisibleAt(address: string): number | undefined {
    return optionalInteger(
      this.db.read(() => this.earliest.get(address)),
      'at',
    );
  }

  /** Messages at the address, locked or not: what is still to be handled there. */
  depth(address: string): number {
    const row = this.db.read(() => this.count.get(address));
    return row === undefined ? 0 : integer(row, 'waiting');
  }

  /**
   * Locks up to `limit` visible messages. Rows that have already used up their deliveries are dead-lettered instead
   * of delivered: the broker's backstop for consumers that keep dying before they can settle.
   */
  lock(request: LockRequest, now: number): { readonly locked: number; readonly deliverable: LockedMessage[] } {
    return this.db.write(() => {
      const rows = this.lockNext.all({
        address: request.address,
        now,
        leaseUntil: now + request.lockMs,
        token: request.token,
        consumer: request.consumer,
        limit: request.limit,
      });
      const exhausted = rows.filter((row) => integer(row, 'delivery_count') > request.maxDeliveryCount);
      if (exhausted.length > 0) {
        const seqs = jsonIntegers(exhausted.map((row) => integer(row, 'seq')));
        const description = `Delivered ${request.maxDeliveryCount} times without being settled`;
        this.backstop.run({ seqs, reason: MAX_DELIVERY_COUNT_EXCEEDED, description, now });
        this.remove.run(seqs);
      }
      const deliverable = rows
        .filter((row) => integer(row, 'delivery_count') <= request.maxDeliveryCount)
        .map((row) => ({
          seq: integer(row, 'seq'),
          token: request.token,
          message: incomingMessage(row),
          attempt: integer(row, 'delivery_count'),
        }))
        .sort((a, b) => a.seq - b.seq);
      return { locked: rows.length, deliverable };
    });
  }

  /** Extends the leases of the given rows that this consumer still holds. */
  renew(seqs: readonly number[], consumer: string, leaseUntil: number): void {
    this.db.read(() => this.renewLeases.run({ seqs: jsonIntegers(seqs), consumer, leaseUntil }));
  }

  /** Applies settlements in one transaction; each result says whether its lock was still held. */
  settle(batch: readonly LockedSettlement[]): boolean[] {
    return this.db.write(() => batch.map(({ lock, settlement }) => this.apply(lock, settlement)));
  }

  private apply({ seq, token }: Lock, settlement: Settlement): boolean {
    switch (settlement.kind) {
      case 'complete':
        return Number(this.completeLocked.run(seq, token).changes) > 0;
      case 'retry':
        return Number(this.retryLocked.run(settlement.visibleAt, seq, token).changes) > 0;
      case 'deadLetter': {
        const { reason, description, at } = settlement;
        this.deadLetterLocked.run({ reason, description, at, seq, token });
        return Number(this.completeLocked.run(seq, token).changes) > 0;
      }
    }
  }
}

function columns(message: OutgoingMessage, now: number) {
  return {
    messageId: message.messageId,
    type: message.type,
    correlationId: message.correlationId,
    body: message.body,
    headers: JSON.stringify(message.headers ?? {}),
    now,
    visibleAt: message.notBefore ?? now,
  };
}
