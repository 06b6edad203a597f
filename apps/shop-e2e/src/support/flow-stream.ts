import type { FlowRecord } from '@stitch/messaging-core';

/**
 * Listens to the storefront's live view (`GET /api/flow`, server-sent events) and keeps every record, so the
 * test can tell which replica handled which message, and how often.
 */
export class FlowStream {
  readonly records: FlowRecord[] = [];
  private readonly reading: Promise<void>;

  private constructor(
    private readonly abort: AbortController,
    body: ReadableStream<Uint8Array>,
  ) {
    this.reading = this.read(body);
  }

  static async open(url: string, timeoutMs = 15_000): Promise<FlowStream> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`GET ${url} sent no headers within ${timeoutMs / 1000} s`)), timeoutMs);
    try {
      const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
      const type = response.headers.get('content-type') ?? '';
      if (response.status !== 200 || !type.startsWith('text/event-stream') || !response.body) {
        throw new Error(`GET ${url} answered ${response.status} ${type}, expected 200 text/event-stream`);
      }
      return new FlowStream(abort, response.body);
    } finally {
      clearTimeout(timer);
    }
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
    const record = JSON.parse(data) as FlowRecord;
    if (typeof record.messageId === 'string' && typeof record.type === 'string') this.records.push(record);
  }
}
