/* global setTimeout, clearTimeout */
import { callApi, problemLines } from './api.mjs';
import { byId, el, formatTime } from './dom.mjs';

/** How often an open waterfall asks for spans that arrived since: services export in batches, seconds apart. */
const POLL_MS = 2000;

const durationFormat = new Intl.NumberFormat('en-IE', { maximumFractionDigits: 2 });

/** `12.5 ms`, `0.25 ms`, `1.2 s`. */
export function formatDuration(ms) {
  return ms < 1000 ? `${durationFormat.format(ms)} ms` : `${durationFormat.format(ms / 1000)} s`;
}

/**
 * A hue of its own for each service, kept for the page's life: the first service seen gets the first hue, each next
 * one is a golden angle further round, so neighbours never look alike and a service keeps its colour across traces.
 */
const hues = new Map();
function hueOf(service) {
  if (!hues.has(service)) hues.set(service, Math.round((210 + hues.size * 137.5) % 360));
  return hues.get(service);
}

/**
 * The trace waterfall of one checkout (a correlation id): every span the services exported for it, one row each,
 * indented under its parent, its bar placed by start and sized by duration on a common time axis. While open it asks
 * again every few seconds and redraws when spans were added. Bar geometry and colours are CSS custom properties set
 * through the DOM (never a style attribute), so the page's strict style policy holds.
 */
export class TraceView {
  constructor() {
    this.correlationId = undefined;
    this.timer = undefined;
    this.drawn = '';
  }

  start() {
    byId('trace-close').addEventListener('click', () => this.close());
  }

  show(correlationId) {
    this.close();
    this.correlationId = correlationId;
    byId('trace').hidden = false;
    byId('trace-subject').textContent = `Checkout ${correlationId}`;
    this.status('loading');
    byId('trace').scrollIntoView({ block: 'nearest' });
    void this.poll(correlationId);
  }

  close() {
    clearTimeout(this.timer);
    this.correlationId = undefined;
    this.drawn = '';
    byId('trace').hidden = true;
    byId('trace-error').replaceChildren();
    byId('trace-rows').replaceChildren();
    byId('trace-legend').replaceChildren();
  }

  async poll(correlationId) {
    const result = await callApi('GET', `/api/traces?correlationId=${encodeURIComponent(correlationId)}`);
    // Closed, or another checkout shown, while this answer was on its way.
    if (this.correlationId !== correlationId) return;
    if (!result.ok) {
      this.status(result.status === 404 ? 'off' : 'error');
      byId('trace-error').replaceChildren(el('p', {}, problemLines(result).join(' — ')));
      // Off stays off until the storefront is restarted with it on; anything else may pass.
      if (result.status !== 404) this.timer = setTimeout(() => this.poll(correlationId), POLL_MS);
      return;
    }
    byId('trace-error').replaceChildren();
    this.render(result.body);
    this.timer = setTimeout(() => this.poll(correlationId), POLL_MS);
  }

  status(text) {
    const pill = byId('trace-status');
    pill.textContent = text;
    pill.dataset.state = text;
  }

  render(answer) {
    const spans = answer.spans ?? [];
    this.status(spans.length === 0 ? 'waiting for spans' : `${spans.length} spans`);
    const drawn = spans.map((span) => `${span.traceId}/${span.spanId}/${span.durationMs}`).join(',');
    if (drawn === this.drawn) return;
    this.drawn = drawn;
    const total = Math.max(...spans.map((span) => span.offsetMs + span.durationMs), 0.001);
    const services = [...new Set(spans.map((span) => span.service))];
    byId('trace-legend').replaceChildren(
      ...services.map((service) =>
        withHue(el('li', { 'data-testid': 'trace-legend-service' }, el('span', { className: 'swatch' }), service), service),
      ),
    );
    byId('trace-rows').replaceChildren(...spans.map((span) => row(span, total)));
    byId('trace-axis').textContent = spans.length ? `${formatTime(answer.start)} · ${formatDuration(total)} in all` : '';
  }
}

function withHue(element, service) {
  element.style.setProperty('--service-hue', String(hueOf(service)));
  return element;
}

function row(span, total) {
  const failed = span.status.code === 'error';
  const details = [
    `${span.service}${span.instance ? ` (${span.instance})` : ''}: ${span.name}`,
    `${span.kind}, ${formatDuration(span.durationMs)}, from ${formatTime(span.start)}`,
    failed ? `error: ${span.status.message ?? 'no message'}` : undefined,
    ...Object.entries(span.attributes).map(([key, value]) => `${key} = ${value}`),
  ].filter(Boolean);
  const bar = el('span', { className: 'span-bar' });
  bar.style.setProperty('--offset', `${(span.offsetMs / total) * 100}%`);
  bar.style.setProperty('--width', `${Math.max((span.durationMs / total) * 100, 0.4)}%`);
  const label = el(
    'span',
    { className: 'span-label' },
    el('span', { className: 'span-service', 'data-testid': 'trace-span-service' }, span.service),
    ' ',
    el('span', { className: 'span-name', 'data-testid': 'trace-span-name' }, span.name),
  );
  label.style.setProperty('--depth', String(span.depth));
  const item = el(
    'li',
    {
      className: failed ? 'span-row span-error' : 'span-row',
      'data-testid': 'trace-span',
      'data-span-id': span.spanId,
      'data-service': span.service,
      'data-depth': span.depth,
      'data-status': span.status.code,
      title: details.join('\n'),
    },
    label,
    el('span', { className: 'span-track' }, bar),
    el('span', { className: 'span-duration num', 'data-testid': 'trace-span-duration' }, formatDuration(span.durationMs)),
  );
  return withHue(item, span.service);
}
