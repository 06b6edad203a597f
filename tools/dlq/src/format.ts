import { deadLetterView, describeSource } from '@stitch/messaging-core';
import type { Located, Moved, SourceDeadLetters } from './desk';

/** Longer descriptions (a stack) are cut in a listing; `show` prints them whole. */
const DESCRIPTION_IN_LIST = 160;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The body as the envelope it should be; a body that is not JSON is kept as text, since that may be why it failed. */
function envelopeOf(body: string): { envelope: unknown } | { body: string } {
  try {
    return { envelope: JSON.parse(body) as unknown };
  } catch {
    return { body };
  }
}

export function listJson(found: readonly SourceDeadLetters[]): unknown {
  return found.map(({ source, messages }) => ({ source, count: messages.length, messages: messages.map(deadLetterView) }));
}

export function listText(found: readonly SourceDeadLetters[], transport: string): string {
  const total = found.reduce((sum, entry) => sum + entry.messages.length, 0);
  const width = Math.max(...found.map((entry) => describeSource(entry.source).length));
  const lines: string[] = [];
  for (const { source, messages } of found) {
    lines.push(
      `${describeSource(source).padEnd(width)}  ${messages.length === 0 ? 'no dead letters' : plural(messages.length, 'dead letter')}`,
    );
    for (const view of messages.map(deadLetterView)) {
      lines.push(`  ${view.id}  ${view.type}  attempts ${view.attempts}  dead-lettered ${view.deadLetteredAt}`);
      lines.push(`      message ${view.messageId}  correlation ${view.correlationId}`);
      lines.push(`      ${view.reason}${view.description ? ` — ${oneLine(view.description, DESCRIPTION_IN_LIST)}` : ''}`);
    }
  }
  lines.push(`${plural(total, 'dead letter')} in ${plural(found.length, 'source')} on the ${transport} transport`);
  return lines.join('\n');
}

export function showJson({ source, deadLetter }: Located): unknown {
  return {
    source,
    ...deadLetterView(deadLetter),
    enqueuedAt: new Date(deadLetter.message.enqueuedAt).toISOString(),
    headers: deadLetter.message.headers,
    ...envelopeOf(deadLetter.message.body),
  };
}

export function showText(located: Located): string {
  const { source, deadLetter } = located;
  const view = deadLetterView(deadLetter);
  const rows: [string, string][] = [
    ['source', describeSource(source)],
    ['message id', view.messageId],
    ['type', view.type],
    ['correlation id', view.correlationId],
    ['reason', view.reason],
    ['attempts', String(view.attempts)],
    ['dead-lettered', view.deadLetteredAt],
    ['enqueued', new Date(deadLetter.message.enqueuedAt).toISOString()],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [`dead letter ${view.id}`, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
  if (view.description) lines.push('description:', ...view.description.split('\n').map((line) => `  ${line}`));
  const body = envelopeOf(deadLetter.message.body);
  if ('envelope' in body) lines.push('envelope:', JSON.stringify(body.envelope, null, 2));
  else lines.push('body (not JSON):', body.body);
  return lines.join('\n');
}

export type Action = 'replayed' | 'purged';

export function movedJson(action: Action, moved: readonly Moved[]): unknown {
  return { [action]: total(moved), sources: moved.map(({ source, count }) => ({ source, [action]: count })) };
}

export function movedText(action: Action, moved: readonly Moved[]): string {
  const parts = moved.filter((entry) => entry.count > 0).map(({ source, count }) => `${describeSource(source)}: ${count}`);
  const where = action === 'replayed' ? ' back to the source each failed at' : '';
  return `${action} ${plural(total(moved), 'dead letter')}${where}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

function total(moved: readonly Moved[]): number {
  return moved.reduce((sum, entry) => sum + entry.count, 0);
}
