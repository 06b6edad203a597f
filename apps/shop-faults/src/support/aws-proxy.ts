import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** `forward`: as is; `duplicate`: every send and publish twice; `down`: no connection gets through. */
export type ProxyMode = 'forward' | 'duplicate' | 'down';

/**
 * The AWS JSON protocol names the operation in this header. These put messages on a queue or the bus; sending
 * one twice is what a client does when it retries a call whose answer it lost.
 */
const SENDS = new Set(['AmazonSQS.SendMessage', 'AmazonSQS.SendMessageBatch', 'AWSEvents.PutEvents']);

/**
 * An HTTP proxy between the shop's processes (AWS_ENDPOINT_URL) and the AWS API emulator, through which a test
 * breaks the network: it forwards each call, forwards sends a second time, or refuses and drops connections.
 */
export class AwsProxy {
  mode: ProxyMode = 'forward';
  /** Calls forwarded a second time. */
  duplicated = 0;
  /** Connections refused or cut while down. */
  dropped = 0;
  private readonly sockets = new Set<Socket>();
  /** Receipt handles received and not yet deleted, with the client port they were received on. */
  private readonly receipts = new Map<string, { readonly port: number; readonly queueUrl: string }>();
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

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Down: open connections are cut (long polls included) and new ones closed as they arrive. */
  setMode(mode: ProxyMode): void {
    this.mode = mode;
    if (mode !== 'down') return;
    for (const socket of this.sockets) this.drop(socket);
  }

  /**
   * Messages of queues whose URL ends with `queueSuffix` received over connections from these client ports and not
   * deleted since: what a process holds, once its ports are known (see socket-ports.ts).
   */
  inHand(ports: ReadonlySet<number>, queueSuffix: string): number {
    return [...this.receipts.values()].filter((receipt) => ports.has(receipt.port) && receipt.queueUrl.endsWith(queueSuffix)).length;
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
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const target = String(request.headers['x-amz-target'] ?? '');
      const first = await this.forward(request, body);
      if (this.mode === 'duplicate' && SENDS.has(target) && first.status < 300) {
        await this.forward(request, body);
        this.duplicated++;
      }
      this.track(target, body, first, request.socket.remotePort ?? 0);
      response.writeHead(first.status, first.headers).end(first.body);
    } catch (error) {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`proxy: ${String(error)}`);
    }
  }

  private track(target: string, request: Buffer, answer: { status: number; body: Buffer }, port: number): void {
    if (answer.status >= 300 || !target.startsWith('AmazonSQS.')) return;
    try {
      const sent = JSON.parse(request.toString('utf8')) as { QueueUrl?: string; ReceiptHandle?: string; Entries?: Array<{ ReceiptHandle?: string }> };
      if (target === 'AmazonSQS.ReceiveMessage') {
        const { Messages = [] } = JSON.parse(answer.body.toString('utf8')) as { Messages?: Array<{ ReceiptHandle?: string }> };
        for (const message of Messages) if (message.ReceiptHandle) this.receipts.set(message.ReceiptHandle, { port, queueUrl: sent.QueueUrl ?? '' });
      } else if (target === 'AmazonSQS.DeleteMessage' && sent.ReceiptHandle) {
        this.receipts.delete(sent.ReceiptHandle);
      } else if (target === 'AmazonSQS.DeleteMessageBatch') {
        for (const entry of sent.Entries ?? []) if (entry.ReceiptHandle) this.receipts.delete(entry.ReceiptHandle);
      }
    } catch {
      // Not JSON: nothing to track.
    }
  }

  private forward(request: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
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
