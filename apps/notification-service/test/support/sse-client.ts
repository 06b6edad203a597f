/** One server-sent event as the wire carries it. */
export interface ServerSentEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comments: readonly string[];
}

export interface SseConnection {
  readonly status: number;
  readonly contentType: string | null;
  /** Every event so far, in arrival order, comment-only ones included. */
  readonly events: ServerSentEvent[];
  /** The parsed `data` of every event that had data. */
  data<T>(): T[];
  /** The id of the last event that had one. */
  lastEventId(): string | undefined;
  /** Resolves once the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/**
 * A real HTTP client of a text/event-stream: fetch, then read and split the body as it arrives. `lastEventId` is
 * sent as Last-Event-ID, as a browser's EventSource does when it reconnects.
 */
export async function connectSse(url: string, options: { lastEventId?: string } = {}): Promise<SseConnection> {
  const abort = new AbortController();
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    ...(options.lastEventId !== undefined ? { 'last-event-id': options.lastEventId } : {}),
  };
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: ServerSentEvent[] = [];
  const ended = (async () => {
    if (!response.body) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value.replace(/\r\n?/g, '\n');
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (block.trim()) events.push(parseBlock(block));
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    data: <T>() => events.filter((e) => e.data !== undefined).map((e) => JSON.parse(e.data ?? '') as T),
    lastEventId: () => events.findLast((e) => e.id !== undefined)?.id,
    ended,
    close: () => abort.abort(),
  };
}

function parseBlock(block: string): ServerSentEvent {
  const comments: string[] = [];
  const data: string[] = [];
  let id: string | undefined;
  let event: string | undefined;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) comments.push(line.slice(1).trim());
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    else if (line.startsWith('id:')) id = line.slice(3).trim();
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  return {
    ...(id !== undefined ? { id } : {}),
    ...(event !== undefined ? { event } : {}),
    ...(data.length ? { data: data.join('\n') } : {}),
    comments,
  };
}
