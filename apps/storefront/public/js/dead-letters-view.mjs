/* global setTimeout, clearTimeout, sessionStorage */
import { callApi, problemLines } from './api.mjs';
import { byId, el, formatTime } from './dom.mjs';

/** A burst of dead letters is one refresh: on SQS each look receives the whole dead-letter queue for a moment. */
const REFRESH_AFTER_MS = 1000;
/** The operator token lives in this tab's sessionStorage only: gone when the tab closes, never sent to another site. */
const TOKEN_KEY = 'stitch.operatorToken';

function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage refused (private mode): the token lasts as long as the page.
  }
}

function describeSource(source) {
  return source.kind === 'queue' ? `queue ${source.name}` : `subscription ${source.topic}/${source.name}`;
}

function sourceKey(source) {
  return source.kind === 'queue' ? `queue:${source.name}` : `subscription:${source.topic}/${source.name}`;
}

/**
 * The operator's panel on /api/dead-letters: every queue and subscription with what it dead-lettered, and a Replay
 * per message and per source. Replay sends a message back to where it failed, so an event reaches only the
 * subscriber that failed it.
 */
export class DeadLettersView {
  constructor() {
    this.timer = undefined;
    this.loading = false;
    this.token = storedToken();
  }

  start() {
    byId('operator-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = byId('operator-token').value.trim();
      if (!token) return;
      byId('operator-token').value = '';
      this.unlock(token);
    });
    byId('operator-sign-out').addEventListener('click', () => this.lock());
    byId('dead-letters-refresh').addEventListener('click', () => void this.refresh());
    byId('dead-letter-rows').addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action="replay"]');
      if (button) void this.replay(JSON.parse(button.dataset.source), button.dataset.id ? [button.dataset.id] : undefined);
    });
    if (this.token) this.unlock(this.token);
    else this.lock();
  }

  /** Shows the panel with this token; a 401 on the first look asks for it again. */
  unlock(token) {
    this.token = token;
    storeToken(token);
    this.showPanel(true);
    void this.refresh();
  }

  /** Forgets the token and asks for it. */
  lock(problem) {
    this.token = undefined;
    storeToken(undefined);
    this.showPanel(false);
    byId('dead-letters-total').textContent = 'locked';
    byId('dead-letter-rows').replaceChildren();
    this.problem(problem ? [problem] : []);
  }

  showPanel(unlocked) {
    byId('operator-form').hidden = unlocked;
    byId('dead-letters-table').hidden = !unlocked;
    byId('dead-letters-refresh').hidden = !unlocked;
    byId('operator-sign-out').hidden = !unlocked;
    if (!unlocked) byId('operator-token').focus?.();
  }

  authorization() {
    return { authorization: `Bearer ${this.token}` };
  }

  /** The token was refused: ask again. */
  refused(result) {
    if (result.status !== 401) return false;
    this.lock(result.body?.message ?? 'The operator token was refused');
    return true;
  }

  /** Called for every flow record; a dead-lettered one means the panel is out of date. */
  noticed(record) {
    if (record.outcome !== 'dead-lettered' || !this.token) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_AFTER_MS);
  }

  async refresh() {
    if (this.loading || !this.token) return;
    this.loading = true;
    byId('dead-letters-total').textContent = 'loading';
    const result = await callApi('GET', '/api/dead-letters', undefined, this.authorization());
    this.loading = false;
    if (this.refused(result)) return;
    this.problem([]);
    if (!result.ok) {
      byId('dead-letters-total').textContent = 'unavailable';
      this.problem(problemLines(result));
      return;
    }
    this.render(result.body);
  }

  async replay(source, ids) {
    this.problem([]);
    for (const button of byId('dead-letter-rows').querySelectorAll('button')) button.disabled = true;
    const result = await callApi('POST', '/api/dead-letters/replay', ids ? { source, ids } : { source }, this.authorization());
    if (this.refused(result)) return;
    if (result.ok) {
      const { replayed } = result.body;
      byId('dead-letters-outcome').textContent = `Replayed ${replayed} to ${describeSource(source)}.`;
    } else {
      this.problem(problemLines(result));
    }
    await this.refresh();
  }

  problem(lines) {
    byId('dead-letters-error').replaceChildren(...lines.map((line, i) => (i === 0 ? line : el('div', {}, line))));
  }

  render(sources) {
    const total = sources.reduce((sum, entry) => sum + entry.count, 0);
    const pill = byId('dead-letters-total');
    pill.textContent = total === 0 ? 'none' : `${total}`;
    pill.dataset.state = total === 0 ? 'none' : 'some';
    const rows = [];
    for (const { source, count, messages } of sources) {
      const sourceJson = JSON.stringify(source);
      rows.push(
        el(
          'tr',
          { className: `dl-source${count > 0 ? ' dl-has' : ''}`, 'data-testid': 'dead-letter-source', 'data-source': sourceKey(source) },
          el('th', { scope: 'row' }, describeSource(source)),
          el('td', { className: 'num', 'data-testid': 'dead-letter-count' }, count),
          el(
            'td',
            { className: 'num' },
            count > 0 &&
              el(
                'button',
                {
                  type: 'button',
                  className: 'secondary',
                  'data-action': 'replay',
                  'data-source': sourceJson,
                  'data-testid': 'replay-source',
                  'aria-label': `Replay all ${count} of ${describeSource(source)}`,
                },
                'Replay all',
              ),
          ),
        ),
      );
      for (const message of messages) {
        rows.push(
          el(
            'tr',
            {
              className: 'dl-message',
              'data-testid': 'dead-letter',
              'data-message-id': message.messageId,
              'data-source': sourceKey(source),
            },
            el(
              'td',
              { colspan: 2 },
              el('span', { className: 'type' }, message.type),
              el('span', { className: 'sku' }, `#${message.id} · message ${message.messageId} · correlation ${message.correlationId}`),
              el('span', { className: 'dl-reason', 'data-testid': 'dead-letter-reason' }, message.reason),
              message.description && el('span', { className: 'dl-description', title: message.description }, message.description),
              el(
                'span',
                { className: 'sku' },
                `${message.attempts} attempt${message.attempts === 1 ? '' : 's'} · dead-lettered ${formatTime(message.deadLetteredAt)}`,
              ),
            ),
            el(
              'td',
              { className: 'num' },
              el(
                'button',
                {
                  type: 'button',
                  className: 'secondary',
                  'data-action': 'replay',
                  'data-source': sourceJson,
                  'data-id': message.id,
                  'data-testid': 'replay-message',
                  'aria-label': `Replay ${message.type} #${message.id}`,
                },
                'Replay',
              ),
            ),
          ),
        );
      }
    }
    byId('dead-letter-rows').replaceChildren(...rows);
  }
}
