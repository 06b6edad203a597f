import { FlowHistory } from './flow-history';
import type { FlowRecordView } from './flow-record.schema';

const at = '2026-12-06T10:00:00.000Z';

function handled(messageId: string, instance: string, overrides: Partial<FlowRecordView> = {}): FlowRecordView {
  return {
    messageId,
    type: 'order.place-order.v1',
    kind: 'command',
    from: 'storefront',
    to: instance.replace(/-\d+$/, ''),
    instance,
    at,
    outcome: 'handled',
    ...overrides,
  } as FlowRecordView;
}

describe('FlowHistory', () => {
  it('keeps the most recent records, oldest first, and drops the oldest past its bound', () => {
    const history = new FlowHistory({ maxRecords: 3, maxReplicas: 10 });
    for (const id of ['m-1', 'm-2', 'm-3', 'm-4', 'm-5']) history.add(handled(id, 'order-service-1'));

    expect(history.recent().records.map((record) => ('messageId' in record ? record.messageId : record.event))).toEqual([
      'm-3',
      'm-4',
      'm-5',
    ]);
  });

  it('counts everything it saw per replica, also records no longer kept', () => {
    const history = new FlowHistory({ maxRecords: 2, maxReplicas: 10 });
    history.add(handled('c-1', 'order-service-1'));
    history.add(handled('c-2', 'order-service-1'));
    history.add(handled('e-1', 'email-service-1', { kind: 'event', type: 'order.order-placed.v1' }));
    history.add(handled('e-1', 'email-service-1', { kind: 'event', outcome: 'duplicate' }));
    history.add(handled('e-2', 'email-service-1', { kind: 'event', outcome: 'retried' }));
    history.add(handled('e-2', 'email-service-1', { kind: 'event', outcome: 'dead-lettered' }));
    history.add(handled('x-1', 'email-service-1', { kind: 'unknown' }));
    history.add({ event: 'replica-started', service: 'email-service', instance: 'email-service-1', restarts: 2, at });
    history.add({ event: 'replica-started', service: 'email-service', instance: 'email-service-1', restarts: 1, at });

    const { records, counters } = history.recent();
    expect(records).toHaveLength(2);
    expect(counters).toEqual([
      {
        instance: 'email-service-1',
        service: 'email-service',
        command: 0,
        event: 1,
        duplicate: 1,
        retried: 1,
        deadLettered: 1,
        restarts: 2,
      },
      {
        instance: 'order-service-1',
        service: 'order-service',
        command: 2,
        event: 0,
        duplicate: 0,
        retried: 0,
        deadLettered: 0,
        restarts: 0,
      },
    ]);
  });

  it('counts at most maxReplicas replicas, forgetting the one counted least recently', () => {
    const history = new FlowHistory({ maxRecords: 10, maxReplicas: 2 });
    history.add(handled('m-1', 'a-service-1'));
    history.add(handled('m-2', 'b-service-1'));
    history.add(handled('m-3', 'a-service-1'));
    history.add(handled('m-4', 'c-service-1'));

    expect(history.recent().counters.map((counter) => [counter.instance, counter.command])).toEqual([
      ['a-service-1', 2],
      ['c-service-1', 1],
    ]);
  });

  it('answers copies: what a caller does to the answer does not change what is kept', () => {
    const history = new FlowHistory();
    history.add(handled('m-1', 'order-service-1'));
    const first = history.recent();
    first.records.length = 0;
    first.counters[0]!.command = 99;

    expect(history.recent().records).toHaveLength(1);
    expect(history.recent().counters[0]!.command).toBe(1);
  });
});
