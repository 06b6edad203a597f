import type { Catalogue } from '@stitch/messaging-catalogue';
import { describeSource, sourcesOf, type DeadLetteredMessage, type DeadLetterQueues, type Source } from '@stitch/messaging-core';

/** A mistake of the operator's (an unknown source or id, a missing --yes): printed as one line, exit code 1. */
export class DlqError extends Error {
  override readonly name = 'DlqError';
}

export interface ScopeOptions {
  /** A command queue, named after its owning service. */
  readonly source?: string;
  /** A subscribing service's subscription on the event topic. */
  readonly subscription?: string;
}

/** The sources a command works on: the one named, or every queue and subscription of the catalogue. */
export function resolveScope(catalogue: Catalogue, options: ScopeOptions): Source[] {
  const all = sourcesOf(catalogue);
  if (options.source !== undefined && options.subscription !== undefined) throw new DlqError('give --source or --subscription, not both');
  if (options.source !== undefined) return [pick(all, 'queue', options.source)];
  if (options.subscription !== undefined) return [pick(all, 'subscription', options.subscription)];
  return all;
}

function pick(all: readonly Source[], kind: Source['kind'], name: string): Source {
  const ofKind = all.filter((source) => source.kind === kind);
  const found = ofKind.find((source) => source.name === name);
  if (found) return found;
  const noun = kind === 'queue' ? 'queue' : 'subscription';
  throw new DlqError(
    `no ${noun} "${name}" in the catalogue (${noun === 'queue' ? 'queues' : 'subscriptions'}: ${ofKind.map((source) => source.name).join(', ')})`,
  );
}

export function describeScope(sources: readonly Source[]): string {
  return sources.length === 1 ? describeSource(sources[0] as Source) : 'any queue or subscription';
}

export interface SourceDeadLetters {
  readonly source: Source;
  readonly messages: readonly DeadLetteredMessage[];
}

export interface Located {
  readonly source: Source;
  readonly deadLetter: DeadLetteredMessage;
}

export interface Moved {
  readonly source: Source;
  readonly count: number;
}

/**
 * The operator's work on dead letters, over the transport's port. One source at a time, never two calls at once:
 * SQS can only look at its dead letters by receiving them all for a moment.
 */
export class DeadLetterDesk {
  constructor(private readonly queues: DeadLetterQueues) {}

  async list(sources: readonly Source[]): Promise<SourceDeadLetters[]> {
    const found: SourceDeadLetters[] = [];
    for (const source of sources) found.push({ source, messages: await this.queues.list(source) });
    return found;
  }

  /** The one dead letter with this id; ids are per source on some transports, so it may need a source named. */
  async find(sources: readonly Source[], id: string): Promise<Located> {
    const found: Located[] = [];
    for (const source of sources) {
      const deadLetter = await this.queues.peek(source, id);
      if (deadLetter) found.push({ source, deadLetter });
    }
    const [first, second] = found;
    if (!first) throw new DlqError(`no dead letter ${id} in ${describeScope(sources)}`);
    if (second)
      throw new DlqError(
        `dead letter ${id} is in ${found.map((entry) => describeSource(entry.source)).join(' and ')}: name one with --source or --subscription`,
      );
    return first;
  }

  /** Moves dead letters back to the source they failed at: a queue, or the one subscription that failed the event. */
  replay(sources: readonly Source[], ids: readonly string[] | 'all'): Promise<Moved[]> {
    return this.act(sources, ids, (source, chosen) => this.queues.replay(source, chosen));
  }

  purge(sources: readonly Source[], ids: readonly string[] | 'all'): Promise<Moved[]> {
    return this.act(sources, ids, (source, chosen) => this.queues.purge(source, chosen));
  }

  /** Every id is found before anything is done, so a typo in one id moves none of them. */
  private async act(
    sources: readonly Source[],
    ids: readonly string[] | 'all',
    move: (source: Source, ids?: readonly string[]) => Promise<number>,
  ): Promise<Moved[]> {
    if (ids === 'all') {
      const moved: Moved[] = [];
      for (const source of sources) moved.push({ source, count: await move(source) });
      return moved;
    }
    const wanted = [...new Set(ids)];
    const listed = await this.list(sources);
    const bySource = new Map<Source, string[]>();
    for (const id of wanted) {
      const holders = listed.filter((entry) => entry.messages.some((message) => message.id === id));
      const [holder, other] = holders;
      if (!holder) throw new DlqError(`no dead letter ${id} in ${describeScope(sources)}`);
      if (other)
        throw new DlqError(
          `dead letter ${id} is in ${holders.map((entry) => describeSource(entry.source)).join(' and ')}: name one with --source or --subscription`,
        );
      bySource.set(holder.source, [...(bySource.get(holder.source) ?? []), id]);
    }
    const moved: Moved[] = [];
    for (const [source, chosen] of bySource) moved.push({ source, count: await move(source, chosen) });
    return moved;
  }
}
