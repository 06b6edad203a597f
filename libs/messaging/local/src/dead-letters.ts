import type { StatementSync } from 'node:sqlite';
import type { DeadLetteredMessage } from '@stitch/messaging-core';
import { incomingMessage } from './messages';
import { integer, jsonIntegers, text, type Database, type Row } from './sqlite';

/** Dead letters are kept by the address they failed at; that address is where a replay sends them back. */
export class DeadLetterStore {
  private readonly listRows: StatementSync;
  private readonly peekRow: StatementSync;
  private readonly requeue: StatementSync;
  private readonly remove: StatementSync;

  constructor(private readonly db: Database) {
    // `every` selects all of the address's dead letters, otherwise those whose seq is in the JSON array `ids`.
    const chosen = 'address = :address AND (:every OR seq IN (SELECT value FROM json_each(:ids)))';
    this.listRows = db.prepare('SELECT * FROM dead_letters WHERE address = ? ORDER BY seq LIMIT ?');
    this.peekRow = db.prepare('SELECT * FROM dead_letters WHERE address = ? AND seq = ?');
    // Back as a new row with a fresh delivery count, keeping what the consumer sees (id, type, correlation, body).
    this.requeue = db.prepare(
      `INSERT INTO messages (address, message_id, type, correlation_id, body, headers, enqueued_at, visible_at)
       SELECT address, message_id, type, correlation_id, body, headers, :now, :now FROM dead_letters
       WHERE ${chosen} ORDER BY seq`,
    );
    this.remove = db.prepare(`DELETE FROM dead_letters WHERE ${chosen}`);
  }

  /** Oldest first; all of them unless `limit` is given. */
  list(address: string, limit?: number): DeadLetteredMessage[] {
    return this.db.read(() => this.listRows.all(address, limit ?? -1)).map(deadLetter);
  }

  peek(address: string, id: string): DeadLetteredMessage | undefined {
    const seq = Number(id);
    if (!Number.isSafeInteger(seq)) return undefined;
    const row = this.db.read(() => this.peekRow.get(address, seq));
    return row === undefined ? undefined : deadLetter(row);
  }

  replay(address: string, ids: readonly string[] | undefined, now: number): number {
    return this.db.write(() => {
      this.requeue.run({ ...selection(address, ids), now });
      return Number(this.remove.run(selection(address, ids)).changes);
    });
  }

  purge(address: string, ids: readonly string[] | undefined): number {
    return Number(this.db.read(() => this.remove.run(selection(address, ids))).changes);
  }
}

function selection(address: string, ids: readonly string[] | undefined) {
  return { address, every: ids === undefined ? 1 : 0, ids: jsonIntegers(ids ?? []) };
}

function deadLetter(row: Row): DeadLetteredMessage {
  return {
    id: String(integer(row, 'seq')),
    message: incomingMessage(row),
    reason: text(row, 'reason'),
    description: text(row, 'description'),
    deadLetteredAt: integer(row, 'dead_lettered_at'),
    attempts: integer(row, 'attempts'),
  };
}
