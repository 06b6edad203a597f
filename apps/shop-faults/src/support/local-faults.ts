import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { shopCatalogue } from '@stitch/contracts';
import type { DeadLetteredMessage, Source } from '@stitch/messaging-core';
import { LocalTransport } from '@stitch/messaging-local';
import { eventually } from '@stitch/shop-testing';
import { freeze, killNow, thaw } from './freeze';
import type { Death, Restore, TransportFaults } from './transport-faults';

const DUPLICATING_TRIGGER = 'faults_deliver_twice';

/**
 * Faults of the embedded transport, made on its SQLite file (`<dataDir>/bus/bus.db`, tables in
 * libs/messaging/local/src/schema.ts) through a connection of the test's own.
 */
export class LocalFaults implements TransportFaults {
  readonly name = 'local';
  readonly env = { MESSAGING_TRANSPORT: 'local' };
  private readonly file: string;
  private db: DatabaseSync | undefined;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'bus', 'bus.db');
  }

  /**
   * A trigger copies every row inserted into `messages` (a command on its queue, an event's copy for each
   * subscription) once more, with its own sequence number: each message is there twice, as after a sender that
   * retried a send whose answer it lost. SQLite does not fire a trigger from its own insert (recursive_triggers is
   * off), so a copy is not copied again.
   */
  async duplicateEveryMessage(): Promise<Restore> {
    this.connection().exec(`
      CREATE TRIGGER ${DUPLICATING_TRIGGER} AFTER INSERT ON messages WHEN NEW.delivery_count = 0
      BEGIN
        INSERT INTO messages (address, message_id, type, correlation_id, body, headers, enqueued_at, visible_at)
        VALUES (NEW.address, NEW.message_id, NEW.type, NEW.correlation_id, NEW.body, NEW.headers, NEW.enqueued_at, NEW.visible_at);
      END`);
    return async () => this.connection().exec(`DROP TRIGGER IF EXISTS ${DUPLICATING_TRIGGER}`);
  }

  /**
   * Holds the file's write lock: every process that sends, locks or settles a message waits for it, then fails,
   * as when the disk under the file stops answering. Readers still read (WAL).
   */
  async cutOff(): Promise<Restore> {
    const db = this.connection();
    db.exec('BEGIN EXCLUSIVE');
    return async () => db.exec('COMMIT');
  }

  async deadLetters(source: Source): Promise<DeadLetteredMessage[]> {
    const transport = new LocalTransport({ topology: shopCatalogue.topology(), file: this.file });
    await transport.start();
    try {
      return await transport.deadLetters.list(source);
    } finally {
      await transport.close();
    }
  }

  /** A consumer names its locks `<pid>-<random>` in `locked_by`; a lock is held while its lease runs. */
  messagesInHand(pid: number, queue: string): number {
    return this.locksOf(pid, queue).length;
  }

  /** Looks at the locks every quarter second; where it finds some, looks again with the process stopped. */
  async killWhenHolding(pid: number, queue: string, timeoutMs: number): Promise<Death> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await eventually(
        `process ${pid} holding messages of ${queue}`,
        () => this.messagesInHand(pid, queue),
        (held) => held > 0,
        deadline - Date.now(),
      );
      const death = await this.killIfHolding(pid, queue);
      if (death) return death;
    }
  }

  /**
   * Frozen, the process writes nothing more to the file: the locks it holds then are the ones it dies with (a
   * transaction it had begun is rolled back when it dies). A row is settled by deleting it with its lock's token, so
   * once the process is gone only another consumer, holding a new lock on the row, can make it go.
   */
  private async killIfHolding(pid: number, queue: string): Promise<Death | undefined> {
    await freeze(pid);
    let held: Array<{ seq: number; messageId: string }>;
    try {
      held = this.locksOf(pid, queue);
    } catch (error) {
      thaw(pid);
      throw error;
    }
    if (held.length === 0) {
      thaw(pid);
      return undefined;
    }
    const killedAt = await killNow(pid);
    return {
      killedAt,
      held: held.map((row) => row.messageId),
      takenOver: async () => {
        const remaining = new Set(
          this.connection()
            .prepare('SELECT seq FROM messages WHERE seq IN (SELECT value FROM json_each(?))')
            .all(JSON.stringify(held.map((row) => row.seq)))
            .map((row) => Number(row.seq)),
        );
        return held.filter((row) => !remaining.has(row.seq)).map((row) => row.messageId);
      },
    };
  }

  private locksOf(pid: number, queue: string): Array<{ seq: number; messageId: string }> {
    return this.connection()
      .prepare('SELECT seq, message_id FROM messages WHERE address = ? AND locked_by LIKE ? AND visible_at > ? ORDER BY seq')
      .all(queue, `${pid}-%`, Date.now())
      .map((row) => ({ seq: Number(row.seq), messageId: String(row.message_id) }));
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  private connection(): DatabaseSync {
    if (!this.db) {
      this.db = new DatabaseSync(this.file);
      // The shop's processes write all the time; wait for a turn like they do.
      this.db.exec('PRAGMA busy_timeout = 10000');
    }
    return this.db;
  }
}
