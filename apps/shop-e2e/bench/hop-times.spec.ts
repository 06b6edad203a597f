import { hopsOf, stepsOf, type TracedSpan } from './hop-times';

const T0 = 1_800_000_000_000n; // ms since the epoch
let next = 0;
function span(fields: Omit<TracedSpan, 'spanId' | 'startUnixNano' | 'durationMs'> & { at: number; ms: number; id?: string }): TracedSpan {
  const { at, ms, id, ...rest } = fields;
  return {
    spanId: id ?? `s${(next += 1)}`,
    startUnixNano: String(T0 * 1_000_000n + BigInt(Math.round(at * 1_000_000))),
    durationMs: ms,
    ...rest,
  };
}

describe('hopsOf', () => {
  it('times each message from the commit that sent it to the start of the handler that took it', () => {
    const handler = span({ id: 'h', service: 'order-service', name: 'process order-service', kind: 'consumer', at: 0, ms: 20 });
    const producer = span({
      id: 'p',
      parentSpanId: 'h',
      service: 'order-service',
      name: 'send payment-service',
      kind: 'producer',
      at: 5,
      ms: 1,
    });
    const spans = [
      handler,
      span({ parentSpanId: 'h', service: 'order-service', name: 'pg.query:COMMIT stitch_order', kind: 'client', at: 2, ms: 1 }),
      producer,
      span({ parentSpanId: 'h', service: 'order-service', name: 'pg.query:COMMIT stitch_order', kind: 'client', at: 8, ms: 1.5 }),
      span({ parentSpanId: 'p', service: 'order-service', name: 'send payment-service', kind: 'client', at: 10, ms: 0.5 }),
      span({
        id: 'c',
        parentSpanId: 'p',
        service: 'payment-service',
        name: 'process payment-service',
        kind: 'consumer',
        attributes: { 'stitch.message.type': 'payment.charge-payment.v1' },
        at: 12,
        ms: 9,
      }),
      span({ parentSpanId: 'c', service: 'payment-service', name: 'pg.query:BEGIN stitch_payment', kind: 'client', at: 13, ms: 0.5 }),
      span({ parentSpanId: 'c', service: 'payment-service', name: 'pg.query:COMMIT stitch_payment', kind: 'client', at: 18, ms: 1 }),
    ];

    expect(hopsOf(spans)).toEqual([
      {
        to: 'process payment-service',
        step: 'payment.charge-payment.v1 → payment-service',
        commitToHandler: 2.5,
        commitToSend: 0.5,
        sendToHandler: 2,
        handlerToCommit: 7,
        queries: 2,
      },
    ]);
  });

  it('leaves out a hop whose sender span or commit has not arrived', () => {
    const spans = [
      span({ id: 'p', parentSpanId: 'missing', service: 'order-service', name: 'send events', kind: 'producer', at: 0, ms: 1 }),
      span({ parentSpanId: 'p', service: 'order-service', name: 'send events', kind: 'client', at: 2, ms: 1 }),
      span({ parentSpanId: 'p', service: 'email-service', name: 'process events', kind: 'consumer', at: 3, ms: 1 }),
    ];

    expect(hopsOf(spans)).toEqual([]);
  });

  it('groups hops by step in the order the steps first appear', () => {
    const hop = (step: string, commitToHandler: number) => ({ to: 'process x', step, commitToHandler, commitToSend: 0, sendToHandler: 0 });
    const steps = stepsOf([hop('b → x', 1), hop('a → y', 2), hop('b → x', 3)]);

    expect(steps.map(([step, hops]) => [step, hops.map((h) => h.commitToHandler)])).toEqual([
      ['b → x', [1, 3]],
      ['a → y', [2]],
    ]);
  });
});
