import type { TracedSpan } from './hop-times';
import { traceFigures } from './trace-figures';

const T0_NS = 1_800_000_000_000n * 1_000_000n;
function span(
  spanId: string,
  parentSpanId: string | undefined,
  fields: Pick<TracedSpan, 'service' | 'name' | 'kind'>,
  at: number,
  ms: number,
): TracedSpan {
  return {
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    ...fields,
    startUnixNano: String(T0_NS + BigInt(at * 1_000_000)),
    durationMs: ms,
  };
}

/** One checkout's first step: the storefront's POST commits and sends PlaceOrder, the order service handles it. */
function checkout(offset: number, handlerMs: number): TracedSpan[] {
  const id = (name: string) => `${name}${offset}`;
  return [
    span(id('post'), undefined, { service: 'storefront', name: 'POST /api/orders', kind: 'server' }, offset, 9),
    span(id('commit'), id('post'), { service: 'storefront', name: 'pg.query:COMMIT stitch_storefront', kind: 'client' }, offset + 4, 1),
    span(id('producer'), id('post'), { service: 'storefront', name: 'send order-service', kind: 'producer' }, offset + 3, 0.1),
    span(id('send'), id('producer'), { service: 'storefront', name: 'send order-service', kind: 'client' }, offset + 6, 0.2),
    {
      ...span(
        id('consumer'),
        id('producer'),
        { service: 'order-service', name: 'process order-service', kind: 'consumer' },
        offset + 7,
        20,
      ),
      attributes: { 'stitch.message.type': 'order.place-order.v1' },
    },
    span(id('begin'), id('consumer'), { service: 'order-service', name: 'pg.query:BEGIN stitch_order', kind: 'client' }, offset + 8, 0.5),
    span(
      id('own'),
      id('consumer'),
      { service: 'order-service', name: 'pg.query:COMMIT stitch_order', kind: 'client' },
      offset + 6 + handlerMs,
      1,
    ),
  ];
}

describe('traceFigures', () => {
  it('gives every hop and handler together, the storefront POST, then each step of the checkout', () => {
    const { rows, figures } = traceFigures([checkout(0, 4), checkout(100, 6), checkout(200, 8)]);

    expect(rows).toEqual([
      ["hop: sender's commit → handler start p50 / p99 (ms, 3 hops)", '2.0 / 2.0'],
      ['… of which commit → outbox send p50 (ms)', '1.0'],
      ['… of which outbox send → handler start p50 (ms)', '1.0'],
      ['handler: its start → its commit p50 / p99 (ms, 3 handlers)', '6.0 / 8.0'],
      ['database queries per handler p50 / max', '2 / 2'],
      ["the storefront's POST /api/orders p50 / p99 (ms, 3)", '9.0 / 9.0'],
      ['order.place-order.v1 → order-service: hop / handler p50 (ms)', '2.0 / 6.0'],
    ]);
    expect(figures).toContainEqual(['order.place-order.v1 → order-service: handler start → its commit p50', 'ms', 6]);
  });

  it('says the traces hold no hop instead of printing NaN when telemetry was off', () => {
    expect(traceFigures([[], []])).toEqual({
      rows: [['hops and handlers', 'not measured: the traces hold no hop (is telemetry off?)']],
      figures: [],
    });
  });
});
