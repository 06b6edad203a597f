import type { ReceivedSpan } from './otlp-traces';
import { SpanStore } from './span-store';
import { waterfall } from './waterfall';

const MS = 1_000_000n;
const T0 = BigInt(Date.UTC(2026, 11, 6, 9, 30, 0)) * MS;

function span(traceId: string, spanId: string, fields: Partial<ReceivedSpan> = {}): ReceivedSpan {
  return {
    traceId: traceId.padStart(32, '0'),
    spanId: spanId.padStart(16, '0'),
    service: 'order-service',
    name: `span ${spanId}`,
    kind: 'internal',
    startUnixNano: T0,
    endUnixNano: T0 + MS,
    status: { code: 'unset' },
    attributes: {},
    correlationIds: [],
    ...fields,
  };
}
const id = (short: string) => short.padStart(32, '0');

describe('the span store', () => {
  it('finds spans by trace id and by correlation id, across traces', () => {
    const store = new SpanStore(100);
    store.add([span('a', '1', { correlationIds: ['checkout-1'] }), span('a', '2'), span('b', '3', { correlationIds: ['checkout-1'] })]);
    expect(store.trace(id('a'))?.map((s) => s.name)).toEqual(['span 1', 'span 2']);
    expect(store.tracesOf('checkout-1')).toEqual([id('a'), id('b')]);
    expect(store.tracesOf('checkout-2')).toEqual([]);
    expect(store.trace(id('c'))).toBeUndefined();
  });

  it('keeps one copy of a span sent again', () => {
    const store = new SpanStore(100);
    store.add([span('a', '1')]);
    store.add([span('a', '1', { name: 'renamed' })]);
    expect(store.size).toBe(1);
    expect(store.trace(id('a'))?.map((s) => s.name)).toEqual(['renamed']);
  });

  it('past its bound drops the least recently updated traces whole, and their correlation ids with them', () => {
    const store = new SpanStore(4);
    store.add([span('a', '1', { correlationIds: ['checkout-a'] }), span('a', '2')]);
    store.add([span('b', '3', { correlationIds: ['checkout-b'] }), span('b', '4')]);
    // a is updated last: b is now the oldest, and goes whole when c arrives.
    store.add([span('a', '5')]);
    store.add([span('c', '6')]);
    expect(store.trace(id('b'))).toBeUndefined();
    expect(store.tracesOf('checkout-b')).toEqual([]);
    expect(store.trace(id('a'))).toHaveLength(3);
    expect(store.trace(id('c'))).toHaveLength(1);
    expect(store.size).toBe(4);
  });

  it('refuses the spans of a single trace beyond the whole bound, and says how many', () => {
    const store = new SpanStore(3);
    expect(store.add(['1', '2', '3', '4', '5'].map((s) => span('a', s)))).toEqual({ accepted: 3, refused: 2 });
    expect(store.size).toBe(3);
  });
});

describe('the waterfall', () => {
  it('puts each span after its parent, siblings by start, with offsets, durations and depths', () => {
    const spans = [
      span('a', '3', { parentSpanId: id('1').slice(16), name: 'late child', startUnixNano: T0 + 30n * MS, endUnixNano: T0 + 31n * MS }),
      span('a', '1', { name: 'root', service: 'storefront', endUnixNano: T0 + 40n * MS }),
      span('a', '2', { parentSpanId: id('1').slice(16), name: 'early child', startUnixNano: T0 + 5n * MS, endUnixNano: T0 + 8_250_000n }),
      span('a', '4', { parentSpanId: id('2').slice(16), name: 'grandchild', startUnixNano: T0 + 6n * MS, endUnixNano: T0 + 7n * MS }),
      span('a', '9', { parentSpanId: id('8').slice(16), name: 'orphan', startUnixNano: T0 + 2n * MS, endUnixNano: T0 + 3n * MS }),
    ];
    const drawn = waterfall(spans);
    expect(drawn.start).toBe('2026-12-06T09:30:00.000Z');
    expect(drawn.spans.map(({ name, depth, offsetMs, durationMs }) => ({ name, depth, offsetMs, durationMs }))).toEqual([
      { name: 'root', depth: 0, offsetMs: 0, durationMs: 40 },
      { name: 'early child', depth: 1, offsetMs: 5, durationMs: 3.25 },
      { name: 'grandchild', depth: 2, offsetMs: 6, durationMs: 1 },
      { name: 'late child', depth: 1, offsetMs: 30, durationMs: 1 },
      // Its parent has not arrived: shown at the top level, by its start.
      { name: 'orphan', depth: 0, offsetMs: 2, durationMs: 1 },
    ]);
    expect(drawn.spans[0]).toMatchObject({ service: 'storefront', startUnixNano: String(T0), start: '2026-12-06T09:30:00.000Z' });
  });

  it('draws nothing for no spans', () => {
    expect(waterfall([])).toEqual({ spans: [] });
  });
});
