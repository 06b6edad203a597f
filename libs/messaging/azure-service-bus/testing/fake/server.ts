import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceBusEntities } from '../../src/entities';
import { FakeBrokerError, FakeNamespace, type FakeNamespaceOptions } from './broker';
import type { Operation } from './wire';

/**
 * The fake broker's namespaces, served to fake clients in any process over HTTP on 127.0.0.1: the conformance suite
 * runs consumers in child processes and kills some, so the broker must live outside them, as a real one does.
 */
export class FakeServiceBusServer {
  private readonly namespaces = new Map<string, FakeNamespace>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeServiceBusServer> {
    const server = createServer();
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const instance = new FakeServiceBusServer(server, `http://127.0.0.1:${port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void instance.handle(req, res));
    return instance;
  }

  /** A fresh namespace with the given entities; clients name it in their requests. */
  createNamespace(name: string, entities: ServiceBusEntities, options?: FakeNamespaceOptions): FakeNamespace {
    const namespace = new FakeNamespace(entities, options);
    this.namespaces.set(name, namespace);
    return namespace;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let gone = false;
    res.on('close', () => (gone = true));
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { namespace: name, operation } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        namespace: string;
        operation: Operation;
      };
      const namespace = this.namespaces.get(name);
      if (!namespace) throw new FakeBrokerError('GeneralError', `No namespace ${name}`);
      const result = await this.run(namespace, operation, () => gone);
      reply(res, 200, { result: result ?? null });
    } catch (error) {
      const code = error instanceof FakeBrokerError ? error.code : 'GeneralError';
      reply(res, 400, { error: { code, message: error instanceof Error ? error.message : String(error) } });
    }
  }

  private run(namespace: FakeNamespace, operation: Operation, gone: () => boolean): unknown {
    switch (operation.op) {
      case 'open':
        return namespace.open(operation.path);
      case 'send':
        return namespace.send(operation.path, operation.messages, operation.scheduledAt);
      case 'receive':
        return namespace.receive(operation.path, operation.max, operation.waitMs, operation.mode, gone);
      case 'peek':
        return namespace.peek(operation.path, operation.fromSequenceNumber, operation.max);
      case 'settle':
        return namespace.settle(operation.path, operation.lockToken, operation.settlement);
      case 'renew':
        return namespace.renew(operation.path, operation.lockToken);
    }
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
