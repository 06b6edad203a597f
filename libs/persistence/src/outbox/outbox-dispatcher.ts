import { SpanKind } from '@opentelemetry/api';
import { messagingTracer, settleSpan, type Destination, type OutgoingDispatcher, type OutgoingMessage } from '@stitch/messaging-core';
import type { Database } from '../database/database';
import type { PrismaClientLike } from '../database/prisma-client';

const INSERT = `INSERT INTO stitch_outbox
  (destination_kind, destination_name, message_id, type, correlation_id, body, headers, not_before)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::timestamptz)`;

/**
 * The bus's dispatcher for a service with a database: a message becomes a row of `stitch_outbox` in the
 * current transaction, so it is sent if and only if the state change that caused it commits. Outside a
 * transaction the row commits on its own. Once it has committed, the relay is woken to send it.
 */
export class OutboxDispatcher implements OutgoingDispatcher {
  constructor(
    private readonly database: Database<PrismaClientLike>,
    /** Called after the row has committed: wakes the relay. */
    private readonly onCommitted: () => void = () => undefined,
  ) {}

  /** In a span of its own, under the bus's producer span: the write is where a send waits on the database. */
  dispatch(destination: Destination, message: OutgoingMessage): Promise<void> {
    const attributes = {
      'db.system.name': 'postgresql',
      'db.collection.name': 'stitch_outbox',
      'messaging.destination.name': destination.name,
      'messaging.message.id': message.messageId,
    };
    return messagingTracer().startActiveSpan('outbox write', { kind: SpanKind.INTERNAL, attributes }, (span) =>
      settleSpan(span, () => this.write(destination, message)),
    );
  }

  private async write(destination: Destination, message: OutgoingMessage): Promise<void> {
    await this.database.client.$executeRawUnsafe(
      INSERT,
      destination.kind,
      destination.name,
      message.messageId,
      message.type,
      message.correlationId,
      message.body,
      message.headers ? JSON.stringify(message.headers) : null,
      message.notBefore === undefined ? null : new Date(message.notBefore).toISOString(),
    );
    this.database.afterCommit(this.onCommitted);
  }
}
