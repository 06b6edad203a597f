import type { Destination, OutgoingMessage } from '@stitch/messaging-core';

/** A row of `stitch_outbox` as the dispatcher wrote it and the relay reads it back. */
export interface OutboxRow {
  id: string;
  destination_kind: Destination['kind'];
  destination_name: string;
  message_id: string;
  type: string;
  correlation_id: string;
  body: string;
  headers: Record<string, string> | null;
  not_before_ms: number | null;
  created_at_ms: number;
}

/** Rows to hand to the transport as soon as the transaction that wrote them has committed. */
export type HandOff = (rows: readonly OutboxRow[]) => void;

export function toOutgoing(row: OutboxRow): OutgoingMessage {
  return {
    messageId: row.message_id,
    type: row.type,
    correlationId: row.correlation_id,
    body: row.body,
    ...(row.headers ? { headers: row.headers } : {}),
    ...(row.not_before_ms === null ? {} : { notBefore: row.not_before_ms }),
  };
}
