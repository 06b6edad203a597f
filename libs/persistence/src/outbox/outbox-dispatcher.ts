import { SpanKind } from '@opentelemetry/api';
import { messagingTracer, settleSpan, type Destination, type OutgoingDispatcher, type OutgoingMessage } from '@stitch/messaging-core';
import type { Database } from '../database/database';
import type { PrismaClientLike } from '../database/prisma-client';
import type { HandOff, OutboxRow } from './outbox-row';

const COLUMNS = 8;
const RETURNING = `RETURNING id::text AS id, (extract(epoch FROM created_at) * 1000)::float8 AS created_at_ms`;

/**
 * One INSERT for all of a transaction's messages. created_at is the clock at the INSERT, just before the commit,
 * not the transaction's start: the relay leaves rows younger than its hand-off grace to the process that wrote them.
 */
function insertStatement(rows: number): string {
  const values = Array.from({ length: rows }, (_unused, row) => {
    const n = row * COLUMNS;
    return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}::jsonb, $${n + 8}::timestamptz, clock_timestamp())`;
  });
  return `INSERT INTO stitch_outbox
  (destination_kind, destination_name, message_id, type, correlation_id, body, headers, not_before, created_at)
  VALUES ${values.join(', ')} ${RETURNING}`;
}

interface Pending {
  readonly destination: Destination;
  readonly message: OutgoingMessage;
}

/**
 * The bus's dispatcher for a service with a database: a message becomes a row of `stitch_outbox` in the
 * current transaction, so it is sent if and only if the state change that caused it commits. A transaction's
 * messages are written together, in one INSERT just before it commits; outside a transaction a message's row
 * commits on its own. Once the rows have committed they are handed to the relay, which sends them at once.
 */
export class OutboxDispatcher implements OutgoingDispatcher {
  private readonly statements = new Map<number, string>();

  constructor(
    private readonly database: Database<PrismaClientLike>,
    /** Called with the rows once they have committed: the relay sends them. */
    private readonly handOff: HandOff = () => undefined,
  ) {}

  /** In a span of its own, under the bus's producer span: where a send waits on the database (outside a transaction). */
  dispatch(destination: Destination, message: OutgoingMessage): Promise<void> {
    const attributes = {
      'db.system.name': 'postgresql',
      'db.collection.name': 'stitch_outbox',
      'messaging.destination.name': destination.name,
      'messaging.message.id': message.messageId,
    };
    return messagingTracer().startActiveSpan('outbox write', { kind: SpanKind.INTERNAL, attributes }, (span) =>
      settleSpan(span, () => this.enqueue({ destination, message })),
    );
  }

  private async enqueue(entry: Pending): Promise<void> {
    const outbox = this.database.perTransaction(this, () => ({ entries: [] as Pending[], scheduled: false }));
    if (!outbox) return this.write([entry]);
    outbox.entries.push(entry);
    if (outbox.scheduled) return;
    outbox.scheduled = true;
    // Scheduled again by a message sent after the write (by another before-commit step): it gets an INSERT of its own.
    this.database.beforeCommit(() => {
      outbox.scheduled = false;
      return this.write(outbox.entries.splice(0));
    });
  }

  private async write(entries: readonly Pending[]): Promise<void> {
    const values = entries.flatMap(({ destination, message }) => [
      destination.kind,
      destination.name,
      message.messageId,
      message.type,
      message.correlationId,
      message.body,
      message.headers ? JSON.stringify(message.headers) : null,
      message.notBefore === undefined ? null : new Date(message.notBefore).toISOString(),
    ]);
    const written = await this.database.client.$queryRawUnsafe<Array<{ id: string; created_at_ms: number }>>(
      this.statement(entries.length),
      ...values,
    );
    const rows = entries.map(({ destination, message }, index): OutboxRow => {
      const returned = written[index];
      if (!returned) throw new Error(`stitch_outbox returned ${written.length} rows for ${entries.length} inserted`);
      return {
        id: returned.id,
        destination_kind: destination.kind,
        destination_name: destination.name,
        message_id: message.messageId,
        type: message.type,
        correlation_id: message.correlationId,
        body: message.body,
        headers: message.headers ? { ...message.headers } : null,
        not_before_ms: message.notBefore ?? null,
        created_at_ms: returned.created_at_ms,
      };
    });
    this.database.afterCommit(() => this.handOff(rows));
  }

  private statement(rows: number): string {
    let statement = this.statements.get(rows);
    if (!statement) {
      statement = insertStatement(rows);
      if (this.statements.size < 64) this.statements.set(rows, statement);
    }
    return statement;
  }
}
