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
      response.writeHead(first.status, first.headers).end(first.body);
    } catch (error) {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`proxy: ${String(error)}`);
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
