import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { shopCatalogue } from '@stitch/contracts';
import type { DeadLetteredMessage, Source } from '@stitch/messaging-core';
import { LocalTransport } from '@stitch/messaging-local';
import type { Restore, TransportFaults } from './transport-faults';

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
    const row = this.connection()
      .prepare('SELECT count(*) AS held FROM messages WHERE address = ? AND locked_by LIKE ? AND visible_at > ?')
      .get(queue, `${pid}-%`, Date.now());
    return Number(row?.held ?? 0);
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
