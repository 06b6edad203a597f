import type { FlowRecordView } from './flow-record.schema';
import type { RecentFlow, ReplicaCounter } from './recent-flow.schema';

export interface FlowHistoryLimits {
  /** Flow records kept; past that the oldest are dropped. */
  readonly maxRecords: number;
  /** Replicas counted; past that the one counted least recently is dropped. */
  readonly maxReplicas: number;
}

/** As many records as the page shows, and far more replicas than a shop runs. */
export const DEFAULT_FLOW_HISTORY_LIMITS: FlowHistoryLimits = { maxRecords: 300, maxReplicas: 200 };

/**
 * What this storefront replica has seen on the flow channel since it started, bounded and in memory: the most
 * recent records, and per replica what it handled. A page that (re)loads starts from it, then follows the live
 * stream; it is lost when the storefront restarts, as flow records are best effort by design.
 */
export class FlowHistory {
  private readonly records: FlowRecordView[] = [];
  /** In order of their last update, oldest first: a Map iterates in insertion order. */
  private readonly counters = new Map<string, ReplicaCounter>();
  readonly since = new Date().toISOString();

  constructor(readonly limits: FlowHistoryLimits = DEFAULT_FLOW_HISTORY_LIMITS) {}

  add(record: FlowRecordView): void {
    this.records.push(record);
    if (this.records.length > this.limits.maxRecords) this.records.splice(0, this.records.length - this.limits.maxRecords);
    if ('messageId' in record) {
      const counter = this.counterOf(record.instance, record.to);
      if (record.outcome === 'handled') {
        if (record.kind !== 'unknown') counter[record.kind] += 1;
      } else if (record.outcome === 'dead-lettered') counter.deadLettered += 1;
      else counter[record.outcome] += 1;
    } else {
      const counter = this.counterOf(record.instance, record.service);
      counter.restarts = Math.max(counter.restarts, record.restarts);
    }
  }

  /** Oldest record first; counters by replica name. Copies, so the caller cannot change what is kept. */
  recent(): RecentFlow {
    return {
      since: this.since,
      records: [...this.records],
      counters: [...this.counters.values()].map((counter) => ({ ...counter })).sort((a, b) => a.instance.localeCompare(b.instance)),
    };
  }

  private counterOf(instance: string, service: string): ReplicaCounter {
    const counter = this.counters.get(instance) ?? {
      instance,
      service,
      command: 0,
      event: 0,
      duplicate: 0,
      retried: 0,
      deadLettered: 0,
      restarts: 0,
    };
    this.counters.delete(instance);
    this.counters.set(instance, counter);
    if (this.counters.size > this.limits.maxReplicas) this.counters.delete(this.counters.keys().next().value!);
    return counter;
  }
}
