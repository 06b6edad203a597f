import type { FlowRecord } from '@stitch/messaging-core';

/**
 * Listens to a server-sent event stream of JSON records (the storefront's `/api/flow` and `/api/notifications`)
 * and keeps every record it accepts, telling listeners as they arrive.
 */
export class JsonEventStream<T> {
  readonly records: T[] = [];
  private readonly listeners: ((record: T) => void)[] = [];
  private readonly reading: Promise<void>;

  private constructor(
    private readonly abort: AbortController,
    body: ReadableStream<Uint8Array>,
    private readonly accept: (value: unknown) => value is T,
  ) {
    this.reading = this.read(body);
  }

  /** `headers` go with the request: a customer's session cookie, a `last-event-id` to resume after. */
  static async open<T>(
    url: string,
    accept: (value: unknown) => value is T,
    timeoutMs = 15_000,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<JsonEventStream<T>> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`GET ${url} sent no headers within ${timeoutMs / 1000} s`)), timeoutMs);
    try {
      const response = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: abort.signal });
      const type = response.headers.get('content-type') ?? '';
      if (response.status !== 200 || !type.startsWith('text/event-stream') || !response.body) {
        throw new Error(`GET ${url} answered ${response.status} ${type}, expected 200 text/event-stream`);
      }
      return new JsonEventStream(abort, response.body, accept);
    } finally {
      clearTimeout(timer);
    }
  }

  onRecord(listener: (record: T) => void): void {
    this.listeners.push(listener);
  }

  close(): Promise<void> {
    this.abort.abort();
    return this.reading;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.take(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (error) {
      if (!this.abort.signal.aborted) throw error;
    }
  }

  /** One event: its `data:` lines joined; comments (keep-alives) and other fields are skipped. */
  private take(event: string): void {
    const data = event
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '') return;
    const record: unknown = JSON.parse(data);
    if (!this.accept(record)) return;
    this.records.push(record);
    for (const listener of this.listeners) listener(record);
  }
}

function isFlowRecord(value: unknown): value is FlowRecord {
  const record = value as Partial<FlowRecord> | null;
  return typeof record?.messageId === 'string' && typeof record.type === 'string';
}

/**
 * The storefront's live view (`GET /api/flow`): every record kept, so a test can tell which replica handled
 * which message, and how often.
 */
export const FlowStream = {
  open: (url: string, timeoutMs?: number): Promise<JsonEventStream<FlowRecord>> => JsonEventStream.open(url, isFlowRecord, timeoutMs),
};
