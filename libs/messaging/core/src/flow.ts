import type { MessageKind } from '@stitch/messaging-catalogue';
import type { Logger } from './logger';
import type { FlowChannel } from './transport';

/**
 * `duplicate`: a repeat of a message this service had already handled (a redelivery, a relay sending twice), which
 * its inbox completed without running the handler again; never a second `handled`.
 */
export type FlowOutcome = 'handled' | 'duplicate' | 'retried' | 'dead-lettered';

/** What the live view shows for each settled message; deliberately without the payload. */
export interface FlowRecord {
  readonly messageId: string;
  readonly type: string;
  readonly kind: MessageKind | 'unknown';
  /** The envelope's source. */
  readonly from: string;
  /** The handling service. */
  readonly to: string;
  /** The replica that handled it. */
  readonly instance: string;
  /** The business flow (one sign-up, one checkout) it belongs to; absent when the message could not be read. */
  readonly correlationId?: string;
  /** The trace id of its `traceparent`, when it carried a valid one. */
  readonly traceId?: string;
  readonly at: string;
  readonly outcome: FlowOutcome;
}

/** Published once when a replica starts consuming, so the live view shows a replica that came back. */
export interface ReplicaStartedRecord {
  readonly event: 'replica-started';
  readonly service: string;
  readonly instance: string;
  /** How often its supervisor has restarted it: 0 on its first start. */
  readonly restarts: number;
  readonly at: string;
}

/**
 * Best effort, as an audit queue: records are batched, a failed publish is dropped (logged once per burst),
 * nothing is retried and flow records are never themselves recorded.
 */
export class FlowRecorder {
  private buffer: string[] = [];
  private flushing: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly channel: FlowChannel,
    private readonly logger: Logger,
  ) {}

  record(record: FlowRecord | ReplicaStartedRecord): void {
    this.buffer.push(JSON.stringify(record));
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Sends what is buffered; used on shutdown so the last records are not lost to a pending timer. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    const records = this.buffer;
    this.buffer = [];
    try {
      if (records.length > 0) await this.channel.publish(records);
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn({ err: error, dropped: records.length }, 'flow records dropped');
      this.failing = true;
    } finally {
      this.flushing = this.buffer.length > 0 ? new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush()) : undefined;
    }
  }
}
