import { summarizeLatencies } from '@stitch/bench-testing';
import { hopsOf, stepsOf, type Hop, type TracedSpan } from './hop-times';

/** One line of the bench's table (figure, measured) and what goes into its JSON (metric, unit, value). */
export interface TraceFigures {
  readonly rows: ReadonlyArray<readonly [figure: string, measured: string]>;
  readonly figures: ReadonlyArray<readonly [metric: string, unit: string, value: number]>;
}

/**
 * What the checkouts' traces say about where one order's time goes: every hop and handler together, the storefront's
 * POST, then each step of the checkout (a message and the service that took it). With no span at all (telemetry off)
 * one line says so instead of a table of NaN.
 */
export function traceFigures(traces: readonly (readonly TracedSpan[])[]): TraceFigures {
  const hops: Hop[] = traces.flatMap((spans) => hopsOf(spans));
  if (hops.length === 0) return { rows: [['hops and handlers', 'not measured: the traces hold no hop (is telemetry off?)']], figures: [] };
  const p50 = (values: readonly number[]) => summarizeLatencies(values).p50;
  const hop = summarizeLatencies(hops.map((h) => h.commitToHandler));
  const handled = hops.filter((h): h is Hop & Required<Pick<Hop, 'handlerToCommit' | 'queries'>> => h.handlerToCommit !== undefined);
  const handler = summarizeLatencies(handled.map((h) => h.handlerToCommit));
  const queries = summarizeLatencies(handled.map((h) => h.queries));
  const handOff = p50(hops.map((h) => h.commitToSend));
  const transport = p50(hops.map((h) => h.sendToHandler));
  const posts = summarizeLatencies(
    traces.flatMap((spans) =>
      spans.filter((span) => span.kind === 'server' && span.name === 'POST /api/orders').map((span) => span.durationMs),
    ),
  );
  const rows: Array<readonly [string, string]> = [
    [`hop: sender's commit → handler start p50 / p99 (ms, ${hop.count} hops)`, `${hop.p50.toFixed(1)} / ${hop.p99.toFixed(1)}`],
    ['… of which commit → outbox send p50 (ms)', handOff.toFixed(1)],
    ['… of which outbox send → handler start p50 (ms)', transport.toFixed(1)],
    [`handler: its start → its commit p50 / p99 (ms, ${handler.count} handlers)`, `${handler.p50.toFixed(1)} / ${handler.p99.toFixed(1)}`],
    ['database queries per handler p50 / max', `${queries.p50} / ${queries.max}`],
    [`the storefront's POST /api/orders p50 / p99 (ms, ${posts.count})`, `${posts.p50.toFixed(1)} / ${posts.p99.toFixed(1)}`],
  ];
  const figures: Array<readonly [string, string, number]> = [
    ['hop p50', 'ms', hop.p50],
    ['hop p99', 'ms', hop.p99],
    ['commit → outbox send p50', 'ms', handOff],
    ['outbox send → handler start p50', 'ms', transport],
    ['handler start → its commit p50', 'ms', handler.p50],
    ['database queries per handler p50', 'queries', queries.p50],
    ['storefront POST /api/orders p50', 'ms', posts.p50],
  ];
  // A step at a time: each message's hop, then its handler until its commit.
  for (const [step, ofStep] of stepsOf(hops)) {
    const stepHop = p50(ofStep.map((h) => h.commitToHandler));
    const handledHere = ofStep.flatMap((h) => (h.handlerToCommit === undefined ? [] : [h.handlerToCommit]));
    const stepHandler = handledHere.length > 0 ? p50(handledHere) : undefined;
    rows.push([`${step}: hop / handler p50 (ms)`, `${stepHop.toFixed(1)} / ${stepHandler?.toFixed(1) ?? '–'}`]);
    figures.push([`${step}: hop p50`, 'ms', stepHop]);
    if (stepHandler !== undefined) figures.push([`${step}: handler start → its commit p50`, 'ms', stepHandler]);
  }
  return { rows, figures };
}
