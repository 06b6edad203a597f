import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** `forward`: as is; `duplicate`: every send and publish twice; `down`: no connection gets through. */
export type ProxyMode = 'forward' | 'duplicate' | 'down';

/**
 * The AWS JSON protocol names the operation in this header. These put messages on a queue or the bus; sending
 * one twice is what a client does when it retries a call whose answer it lost.
 */
const SENDS = new Set(['AmazonSQS.SendMessage', 'AmazonSQS.SendMessageBatch', 'AWSEvents.PutEvents']);

/** A message some process received and has not let go of: SQS's id for it, and the envelope's id the services log. */
export interface HeldMessage {
  readonly messageId: string;
  readonly id: string;
}

/** What the proxy saw of one SQS message; `at` is the proxy's clock. */
interface TrackedMessage extends HeldMessage {
  readonly queueUrl: string;
  /** Each receive, in order, with the client port it went to. */
  readonly receives: Array<{ readonly port: number; readonly at: number }>;
  /** Delete calls naming it that are not answered yet. */
  deleting: number;
  /** Deletes that succeeded, with the client port they came from. */
  readonly deletes: Array<{ readonly port: number; readonly at: number }>;
}

interface CallsInProgress {
  /** Requests not read whole yet. */
  reading: number;
  /** Requests not answered (and tracked) yet, those being read included. */
  unanswered: number;
}

interface ReceivedMessage {
  readonly MessageId?: string;
  readonly ReceiptHandle?: string;
  readonly Body?: string;
}

type DeleteCall = { ReceiptHandle?: string; Entries?: Array<{ Id?: string; ReceiptHandle?: string }> } | undefined;

/** Receipt handles of a DeleteMessage (under the id `single`) or a DeleteMessageBatch (by entry id). */
function receiptsOf(call: DeleteCall): Map<string, string> {
  const receipts = new Map<string, string>();
  if (call?.ReceiptHandle) receipts.set('single', call.ReceiptHandle);
  for (const entry of call?.Entries ?? []) if (entry.Id !== undefined && entry.ReceiptHandle) receipts.set(entry.Id, entry.ReceiptHandle);
  return receipts;
}

/**
 * The envelope's id: a command's body is the envelope, an event's is EventBridge's wrapper around it (`detail`); see
 * libs/messaging/aws/src/mapping.ts. SQS's own id when the body is neither.
 */
function envelopeIdOf(message: ReceivedMessage): string {
  const body = parse<{ id?: unknown; 'detail-type'?: unknown; detail?: { id?: unknown } }>(Buffer.from(message.Body ?? ''));
  const id = typeof body?.['detail-type'] === 'string' ? body.detail?.id : body?.id;
  return typeof id === 'string' ? id : (message.MessageId ?? '');
}

/** The AWS JSON protocol's bodies; undefined when not JSON. */
function parse<T>(json: Buffer): T | undefined {
  try {
    return JSON.parse(json.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * An HTTP proxy between the shop's processes (AWS_ENDPOINT_URL) and the AWS API emulator, through which a test
 * breaks the network: it forwards each call, forwards sends a second time, or refuses and drops connections. It also
 * watches SQS receives and deletes per client port, which tells what each process holds and who settled what.
 */
export class AwsProxy {
  mode: ProxyMode = 'forward';
  /** Calls forwarded a second time. */
  duplicated = 0;
  /** Connections refused or cut while down. */
  dropped = 0;
  private readonly sockets = new Set<Socket>();
  /** Every SQS message received through the proxy, by SQS's message id. */
  private readonly messages = new Map<string, TrackedMessage>();
  /** Each receipt handle handed out, to its message. */
  private readonly receipts = new Map<string, TrackedMessage>();
  /** Calls in progress by client port. */
  private readonly calls = new Map<number, CallsInProgress>();
  /** Counts what the proxy saw, so that one thing can be said to come after another. */
  private clock = 0;
  private readonly receiveListeners = new Set<(port: number, queueUrl: string) => void>();
  private readonly agent = new http.Agent({ keepAlive: true });

  private constructor(
    private readonly server: http.Server,
    private readonly upstream: URL,
  ) {}

  static async start(upstream: string): Promise<AwsProxy> {
    const server = http.createServer();
    const proxy = new AwsProxy(server, new URL(upstream));
    server.on('connection', (socket) => proxy.accept(socket));
    server.on('request', (request, response) => void proxy.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Down: open connections are cut (long polls included) and new ones closed as they arrive. */
  setMode(mode: ProxyMode): void {
    this.mode = mode;
    if (mode !== 'down') return;
    for (const socket of this.sockets) this.drop(socket);
  }

  /**
   * Messages of queues whose URL ends with `queueSuffix` that a process holds, once its client ports are known (see
   * socket-ports.ts): last received over one of these ports, and neither deleted since nor being deleted.
   */
  held(ports: ReadonlySet<number>, queueSuffix: string): HeldMessage[] {
    return [...this.messages.values()]
      .filter((message) => message.queueUrl.endsWith(queueSuffix) && ports.has(message.receives.at(-1)?.port ?? -1))
      .filter((message) => message.deletes.length === 0 && message.deleting === 0)
      .map(({ messageId, id }) => ({ messageId, id }));
  }

  /** Calls from these client ports whose request the proxy has not read whole yet. */
  reading(ports: ReadonlySet<number>): number {
    return [...ports].reduce((sum, port) => sum + (this.calls.get(port)?.reading ?? 0), 0);
  }

  /** Calls from these client ports that the emulator has not answered yet (or whose answer is not tracked yet). */
  unanswered(ports: ReadonlySet<number>): number {
    return [...ports].reduce((sum, port) => sum + (this.calls.get(port)?.unanswered ?? 0), 0);
  }

  /**
   * Calls `listener` each time a receive hands out messages, with the client port and the queue's URL, just before the
   * answer is written to the client: a client stopped there holds the messages before it could do anything with them.
   * Returns what stops it.
   */
  onReceived(listener: (port: number, queueUrl: string) => void): () => void {
    this.receiveListeners.add(listener);
    return () => this.receiveListeners.delete(listener);
  }

  /** Now, on the proxy's clock: what it sees from here on comes after. */
  now(): number {
    return this.clock;
  }

  /**
   * Of these messages (SQS message ids), those received after `since` over a client port not among `ports`, and
   * deleted after that through such a port: taken over and settled by another process.
   */
  settledElsewhere(messageIds: readonly string[], ports: ReadonlySet<number>, since: number): string[] {
    return messageIds.filter((messageId) => {
      const message = this.messages.get(messageId);
      const received = message?.receives.find((receive) => receive.at > since && !ports.has(receive.port));
      return received !== undefined && message?.deletes.some((deleted) => deleted.at > received.at && !ports.has(deleted.port));
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(socket: Socket): void {
    if (this.mode === 'down') return this.drop(socket);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private drop(socket: Socket): void {
    this.dropped++;
    socket.destroy();
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const port = request.socket.remotePort ?? 0;
    const calls = this.calls.get(port) ?? { reading: 0, unanswered: 0 };
    this.calls.set(port, calls);
    calls.reading++;
    calls.unanswered++;
    try {
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of request) chunks.push(chunk as Buffer);
      } finally {
        calls.reading--;
      }
      const body = Buffer.concat(chunks);
      const target = String(request.headers['x-amz-target'] ?? '');
      const deleting = this.deletesAsked(target, body);
      try {
        const first = await this.forward(request, body);
        if (this.mode === 'duplicate' && SENDS.has(target) && first.status < 300) {
          await this.forward(request, body);
          this.duplicated++;
        }
        const receivedFrom = this.track(target, body, first, port);
        if (receivedFrom !== undefined) for (const listener of [...this.receiveListeners]) listener(port, receivedFrom);
        response.writeHead(first.status, first.headers).end(first.body);
      } finally {
        for (const message of deleting) message.deleting--;
      }
    } catch (error) {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`proxy: ${String(error)}`);
    } finally {
      calls.unanswered--;
      if (calls.reading === 0 && calls.unanswered === 0) this.calls.delete(port);
    }
  }

  /** The messages a delete call names, marked as being deleted until it is answered. */
  private deletesAsked(target: string, request: Buffer): TrackedMessage[] {
    if (target !== 'AmazonSQS.DeleteMessage' && target !== 'AmazonSQS.DeleteMessageBatch') return [];
    const receipts = receiptsOf(parse<DeleteCall>(request));
    const messages = [...receipts.values()].map((receipt) => this.receipts.get(receipt)).filter((message) => message !== undefined);
    for (const message of messages) message.deleting++;
    return messages;
  }

  /** Records what a call did; for a receive that handed out messages, the queue's URL. */
  private track(target: string, request: Buffer, answer: { status: number; body: Buffer }, port: number): string | undefined {
    if (answer.status >= 300) return undefined;
    if (target === 'AmazonSQS.ReceiveMessage') {
      const queueUrl = parse<{ QueueUrl?: string }>(request)?.QueueUrl ?? '';
      let handedOut = 0;
      for (const received of parse<{ Messages?: ReceivedMessage[] }>(answer.body)?.Messages ?? []) {
        if (!received.MessageId || !received.ReceiptHandle) continue;
        const message = this.messages.get(received.MessageId) ?? {
          messageId: received.MessageId,
          id: envelopeIdOf(received),
          queueUrl,
          receives: [],
          deleting: 0,
          deletes: [],
        };
        this.messages.set(message.messageId, message);
        message.receives.push({ port, at: ++this.clock });
        this.receipts.set(received.ReceiptHandle, message);
        handedOut++;
      }
      return handedOut > 0 ? queueUrl : undefined;
    } else if (target === 'AmazonSQS.DeleteMessage' || target === 'AmazonSQS.DeleteMessageBatch') {
      const receipts = receiptsOf(parse<DeleteCall>(request));
      // A batch answers per entry; a single delete that answered 200 succeeded.
      const succeeded =
        target === 'AmazonSQS.DeleteMessage'
          ? [...receipts.keys()]
          : (parse<{ Successful?: Array<{ Id?: string }> }>(answer.body)?.Successful ?? []).map((entry) => entry.Id ?? '');
      for (const id of succeeded) {
        const message = this.receipts.get(receipts.get(id) ?? '');
        message?.deletes.push({ port, at: ++this.clock });
      }
    }
    return undefined;
  }

  private forward(
    request: http.IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        {
          protocol: this.upstream.protocol,
          hostname: this.upstream.hostname,
          port: this.upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, 'content-length': String(body.length) },
          agent: this.agent,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('error', reject);
          answer.on('end', () => {
            const headers = { ...answer.headers };
            // The body is sent whole, with its own length.
            delete headers['transfer-encoding'];
            const whole = Buffer.concat(chunks);
            resolve({ status: answer.statusCode ?? 502, headers: { ...headers, 'content-length': String(whole.length) }, body: whole });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}
