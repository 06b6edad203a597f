import { until } from '@stitch/waiting-testing';

/** Opens a server-sent event stream; `take` waits for its events, `close` disconnects. */
export async function openEventStream(url: string, headers: Readonly<Record<string, string>> = {}): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal, headers: { ...headers, accept: 'text/event-stream' } });
  return new EventStream(response, abort);
}

export class EventStream {
  private readonly events: string[] = [];
  private buffer = '';

  constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    void this.pump();
  }

  /** The `data` of the first `count` events, waiting for them up to `timeoutMs`. */
  async take(count: number, timeoutMs = 10_000): Promise<string[]> {
    await until(`${count} event${count === 1 ? '' : 's'} on ${this.response.url}`, () => this.events.length >= count, {
      timeoutMs,
      state: () => `got ${this.events.length}`,
    });
    return this.events.slice(0, count);
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.response.body as AsyncIterable<Uint8Array>) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart());
          if (data.length > 0) this.events.push(data.join('\n'));
        }
      }
    } catch {
      // Aborted by close().
    }
  }
}
