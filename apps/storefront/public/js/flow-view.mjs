/* global EventSource, CSS */
import { callApi } from './api.mjs';
import { byId, el, formatTime } from './dom.mjs';

/** Rows kept on screen; older ones drop off the bottom. */
const MAX_ROWS = 300;
/** Columns of the counters table, for its empty row. */
const COUNTER_COLUMNS = 7;

/**
 * The live view of /api/flow: one row per settled message, and per replica what it handled. Counting by
 * replica is what makes the two patterns visible: a command lands on one replica of its owner, an event on
 * one replica of each subscribing service (the Copies column counts the services that got it). The filter shows
 * the messages of one checkout (one correlation id) only; the counters keep counting everything.
 *
 * A page loaded late starts from what the storefront kept (/api/flow/recent), then follows the stream. The stream is
 * opened first and what it brings is held until the kept records are shown; a held record already among them is
 * skipped, so nothing is missed and nothing counted twice. The same happens after the stream reconnects.
 */
export class FlowView {
  /** `onRecord` hears of every record too (the dead-letter panel refreshes on a dead-lettered one). */
  constructor({ onRecord } = {}) {
    this.onRecord = onRecord ?? (() => undefined);
    this.counters = new Map();
    this.copies = new Map();
    this.source = undefined;
    this.filter = '';
    /** Records streamed while the kept ones load; undefined once they are shown. */
    this.held = [];
    /** The identities of the records on screen, so one that arrives twice is shown once. */
    this.shown = new Set();
    this.reconnecting = false;
  }

  start() {
    byId('flow-clear').addEventListener('click', () => this.clear());
    byId('flow-filter').addEventListener('input', (event) => this.applyFilter(event.target.value));
    byId('flow-filter-form').addEventListener('submit', (event) => event.preventDefault());
    byId('flow-filter-clear').addEventListener('click', () => this.filterTo(''));
    byId('flow-rows').addEventListener('click', (event) => {
      const button = event.target.closest('[data-testid="flow-correlation"]');
      if (button) this.filterTo(button.dataset.correlationId);
    });
    this.source = new EventSource('/api/flow');
    this.source.onopen = () => {
      this.status('live');
      // What was published while the stream was down is among the kept records.
      if (this.reconnecting) void this.catchUp();
      this.reconnecting = false;
    };
    this.source.onerror = () => {
      this.status('reconnecting');
      this.reconnecting = true;
    };
    this.source.onmessage = (event) => {
      let record;
      try {
        record = JSON.parse(event.data);
      } catch {
        // A malformed record is skipped; the view is best effort, as flow records are.
        return;
      }
      if (this.held) this.held.push(record);
      else this.receive(record);
    };
    void this.catchUp();
  }

  /** Shows what the storefront kept and has not been shown yet, then what the stream brought meanwhile. */
  async catchUp() {
    this.held ??= [];
    const result = await callApi('GET', '/api/flow/recent');
    if (result.ok) {
      for (const record of result.body.records) if (!this.shown.has(identity(record))) this.show(record, { count: false });
      // The storefront counted every record it kept and more: its counters replace the page's.
      this.counters.clear();
      for (const counter of result.body.counters) {
        const { instance, deadLettered, ...counts } = counter;
        this.counters.set(instance, { ...counts, 'dead-lettered': deadLettered });
      }
      this.renderCounters();
    }
    // A second catch-up (the stream reconnected during the first) may find the held records already shown.
    const held = this.held ?? [];
    this.held = undefined;
    for (const record of held) if (!this.shown.has(identity(record))) this.receive(record);
  }

  receive(record) {
    this.show(record, { count: true });
    if (record.event !== 'replica-started') this.onRecord(record);
  }

  show(record, { count }) {
    this.shown.add(identity(record));
    if (record.event === 'replica-started') this.started(record, { count });
    else this.add(record, { count });
  }

  status(text) {
    const pill = byId('flow-status');
    pill.textContent = text;
    pill.dataset.state = text;
  }

  /** Shows only the messages of one checkout (a correlation id); an empty id shows everything again. */
  filterTo(correlationId) {
    byId('flow-filter').value = correlationId;
    this.applyFilter(correlationId);
    byId('flow-filter').focus();
  }

  applyFilter(value) {
    this.filter = value.trim();
    for (const row of byId('flow-rows').children) row.hidden = !this.shows(row);
    this.describeFilter();
  }

  shows(row) {
    return !this.filter || row.dataset.correlationId === this.filter;
  }

  describeFilter() {
    const line = byId('flow-filter-status');
    if (!this.filter) {
      line.textContent = '';
      return;
    }
    const shown = [...byId('flow-rows').children].filter((row) => !row.hidden).length;
    line.textContent = `${shown} of the messages on screen belong to ${this.filter}`;
  }

  add(record, { count = true } = {}) {
    const kind = record.kind === 'command' || record.kind === 'event' ? record.kind : 'unknown';
    const copies = this.countCopy(record);
    const rows = byId('flow-rows');
    const row = el(
      'tr',
      {
        className: `row-${kind} fresh`,
        'data-testid': 'flow-row',
        'data-kind': kind,
        'data-message-id': record.messageId,
        'data-instance': record.instance,
        'data-outcome': record.outcome,
        'data-correlation-id': record.correlationId,
        'data-identity': identity(record),
      },
      el('td', { className: 'nowrap' }, formatTime(record.at)),
      el('td', { className: 'nowrap' }, el('span', { className: `kind kind-${kind}`, 'data-testid': 'flow-kind' }, kind)),
      el('td', { className: 'type', 'data-testid': 'flow-type', 'data-type': record.type, title: record.type }, record.name ?? record.type),
      el('td', { 'data-testid': 'flow-route' }, `${record.from} → ${record.to}`),
      el('td', { className: 'nowrap', 'data-testid': 'flow-instance' }, record.instance),
      el('td', { className: `outcome-${record.outcome}`, 'data-testid': 'flow-outcome' }, record.outcome),
      el('td', { className: 'num', 'data-testid': 'flow-copies' }, copies),
      el('td', {}, checkoutCell(record)),
    );
    row.hidden = !this.shows(row);
    rows.prepend(row);
    for (const cell of rows.querySelectorAll(`tr[data-message-id="${CSS.escape(record.messageId)}"] [data-testid="flow-copies"]`))
      cell.textContent = copies;
    this.trim(rows);
    if (count) this.count(record, kind);
    if (this.filter) this.describeFilter();
  }

  /** Drops the oldest rows past MAX_ROWS, and forgets them as shown. */
  trim(rows) {
    while (rows.children.length > MAX_ROWS) {
      this.shown.delete(rows.lastElementChild.dataset.identity);
      rows.lastElementChild.remove();
    }
  }

  /** A replica that came back after its supervisor restarted it gets a row of its own and its restart count. */
  started(record, { count = true } = {}) {
    if (count) {
      const counter = this.counterOf(record.instance, record.service);
      counter.restarts = Math.max(counter.restarts, record.restarts);
      this.renderCounters();
    }
    if (record.restarts === 0) return;
    const rows = byId('flow-rows');
    const row = el(
      'tr',
      { className: 'row-restart fresh', 'data-testid': 'restart-row', 'data-instance': record.instance, 'data-identity': identity(record) },
      el('td', {}, formatTime(record.at)),
      el('td', { colspan: 7 }, `${record.instance} restarted (${ordinal(record.restarts)} time) and consumes again`),
    );
    // It belongs to no checkout: shown while nothing is filtered.
    row.hidden = !this.shows(row);
    rows.prepend(row);
    this.trim(rows);
  }

  counterOf(instance, service) {
    const counter = this.counters.get(instance) ?? {
      service,
      command: 0,
      event: 0,
      duplicate: 0,
      retried: 0,
      'dead-lettered': 0,
      restarts: 0,
    };
    this.counters.set(instance, counter);
    return counter;
  }

  /** Services that have received this message so far: 1 for a command, one per subscriber for an event. */
  countCopy(record) {
    const services = this.copies.get(record.messageId) ?? new Set();
    services.add(record.to);
    this.copies.set(record.messageId, services);
    return services.size;
  }

  count(record, kind) {
    const counter = this.counterOf(record.instance, record.to);
    if (record.outcome === 'handled' && (kind === 'command' || kind === 'event')) counter[kind] += 1;
    else if (record.outcome in counter) counter[record.outcome] += 1;
    this.renderCounters();
  }

  renderCounters() {
    const instances = [...this.counters.keys()].sort();
    byId('counter-rows').replaceChildren(
      ...instances.map((instance) => {
        const counter = this.counters.get(instance);
        return el(
          'tr',
          { 'data-testid': 'replica-counter', 'data-instance': instance },
          el('th', { scope: 'row', className: 'nowrap', 'data-testid': 'replica-name' }, instance),
          el('td', { className: 'num', 'data-testid': 'count-command' }, counter.command),
          el('td', { className: 'num', 'data-testid': 'count-event' }, counter.event),
          el('td', { className: 'num', 'data-testid': 'count-duplicate' }, counter.duplicate),
          el('td', { className: 'num', 'data-testid': 'count-retried' }, counter.retried),
          el('td', { className: 'num', 'data-testid': 'count-dead-lettered' }, counter['dead-lettered']),
          el('td', { className: counter.restarts > 0 ? 'num restarted' : 'num', 'data-testid': 'count-restarts' }, counter.restarts),
        );
      }),
    );
  }

  clear() {
    this.counters.clear();
    this.copies.clear();
    this.shown.clear();
    byId('flow-rows').replaceChildren();
    byId('counter-rows').replaceChildren(el('tr', { className: 'empty' }, el('td', { colspan: COUNTER_COLUMNS }, 'Nothing handled yet.')));
    this.describeFilter();
  }
}

/** What tells two records apart: a message settles once per service, replica and attempt. */
function identity(record) {
  return record.event === 'replica-started'
    ? ['started', record.instance, record.restarts, record.at].join('|')
    : [record.messageId, record.to, record.instance, record.outcome, record.at].join('|');
}

/** The checkout a record belongs to: a button that filters to it, the whole id and the trace id in its title. */
function checkoutCell(record) {
  if (!record.correlationId) return '';
  const title = [`Show only the messages of ${record.correlationId}`, record.traceId ? `trace ${record.traceId}` : undefined]
    .filter(Boolean)
    .join(' · ');
  return el(
    'button',
    {
      type: 'button',
      className: 'link correlation',
      'data-testid': 'flow-correlation',
      'data-correlation-id': record.correlationId,
      'data-trace-id': record.traceId,
      title,
      'aria-label': title,
    },
    record.correlationId.slice(0, 8),
  );
}

function ordinal(n) {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
