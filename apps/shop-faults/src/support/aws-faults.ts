import { shopCatalogue } from '@stitch/contracts';
import { AwsTransport, createAwsClients, type AwsClientSettings } from '@stitch/messaging-aws';
import type { DeadLetteredMessage, Source } from '@stitch/messaging-core';
import { deleteShopTopology, provisionShopTopology } from '@stitch/shop-testing';
import { until } from '@stitch/waiting-testing';
import { AwsProxy } from './aws-proxy';
import { killNow, promptly, stopped, thaw } from './freeze';
import { bytesInTransit, socketPortsOf } from './socket-ports';
import type { Death, Restore, TransportFaults } from './transport-faults';

/**
 * Faults of the AWS transport on an emulator: the shop's processes reach it through a proxy the test controls,
 * on a topology of its own (a fresh name prefix).
 */
export class AwsFaults implements TransportFaults {
  readonly name = 'aws';
  private readonly knownPorts = new Map<number, Set<number>>();

  private constructor(
    private readonly settings: AwsClientSettings & { endpoint: string },
    private readonly prefix: string,
    readonly proxy: AwsProxy,
  ) {}

  static async start(endpoint: string, region: string): Promise<AwsFaults> {
    const settings = { endpoint, region };
    const prefix = await provisionShopTopology(settings);
    const proxy = await AwsProxy.start(endpoint);
    return new AwsFaults(settings, prefix, proxy);
  }

  get env(): Record<string, string> {
    return {
      MESSAGING_TRANSPORT: 'aws',
      AWS_ENDPOINT_URL: this.proxy.url,
      AWS_REGION: this.settings.region ?? 'us-east-1',
      STITCH_PREFIX: this.prefix,
      STITCH_SHOP_ID: this.prefix,
    };
  }

  async duplicateEveryMessage(): Promise<Restore> {
    this.proxy.setMode('duplicate');
    return async () => this.proxy.setMode('forward');
  }

  async cutOff(): Promise<Restore> {
    this.proxy.setMode('down');
    return async () => this.proxy.setMode('forward');
  }

  /** Straight at the emulator, past the proxy. */
  async deadLetters(source: Source): Promise<DeadLetteredMessage[]> {
    const transport = new AwsTransport({
      topology: shopCatalogue.topology(),
      clients: createAwsClients(this.settings),
      prefix: this.prefix,
    });
    await transport.start();
    try {
      return await transport.deadLetters.list(source);
    } finally {
      await transport.close();
    }
  }

  /**
   * SQS does not say who holds a message, but the proxy sees every receive and delete, and /proc which process
   * owns a connection to it. The ports are remembered, so the count still reads right after the process is killed.
   */
  messagesInHand(pid: number, queue: string): number | undefined {
    const ports = this.portsOf(pid);
    return ports && this.proxy.held(ports, this.queueSuffix(queue)).length;
  }

  /**
   * Stopped as the proxy is about to hand it messages of the queue, so it holds them for certain, and may be in the
   * middle of handling earlier ones. A look from outside, however frequent, mostly finds it between two batches or
   * sees a batch whose deletes are still on their way through the proxy; and a process stopped only after the answer
   * was written may have been woken ahead of the test and handled the batch already.
   */
  async killWhenHolding(pid: number, queue: string, timeoutMs: number): Promise<Death> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.stopOnReceive(pid, queue, deadline);
      const death = await this.killIfStillHolding(pid, queue);
      if (death) return death;
    }
  }

  /** Resolves once the proxy is about to hand the process messages of the queue and it was sent SIGSTOP. */
  private stopOnReceive(pid: number, queue: string, deadline: number): Promise<void> {
    const waitMs = Math.max(0, deadline - Date.now());
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        stopListening();
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => done(new Error(`process ${pid} was handed no message of ${queue} in ${Math.round(waitMs / 1000)} s`)),
        waitMs,
      );
      const stopListening = this.proxy.onReceived((port, queueUrl) => {
        if (!queueUrl.endsWith(this.queueSuffix(queue)) || !this.portsOf(pid)?.has(port)) return;
        try {
          process.kill(pid, 'SIGSTOP');
          done();
        } catch (error) {
          done(error as Error);
        }
      });
    });
  }

  /**
   * For a process sent SIGSTOP: once it has stopped and the proxy has read everything it sent (its deletes included),
   * kills it if it still holds messages of the queue, or lets it run on.
   */
  private async killIfStillHolding(pid: number, queue: string): Promise<Death | undefined> {
    let ports: Set<number> | undefined;
    try {
      await stopped(pid);
      ports = this.portsOf(pid);
      if (!ports) throw new Error(`cannot tell the connections of process ${pid}`);
      const own = ports;
      await until(
        `the proxy to read every call process ${pid} made`,
        () => bytesInTransit(own, this.proxy.port) === 0 && this.proxy.reading(own) === 0,
        promptly,
      );
    } catch (error) {
      thaw(pid);
      throw error;
    }
    if (this.proxy.held(ports, this.queueSuffix(queue)).length === 0) {
      thaw(pid);
      return undefined;
    }
    const killedAt = await killNow(pid);
    const victim = ports;
    // A receive it made may still return messages, a delete still succeed or fail: what it held is known once the
    // emulator has answered them all.
    await until(`the emulator to answer the calls process ${pid} made before it died`, () => this.proxy.unanswered(victim) === 0, {
      ...promptly,
      timeoutMs: 60_000,
    });
    const diedAt = this.proxy.now();
    const held = this.proxy.held(victim, this.queueSuffix(queue));
    const byMessageId = new Map(held.map((message) => [message.messageId, message.id]));
    return {
      killedAt,
      held: held.map((message) => message.id),
      takenOver: async () =>
        this.proxy.settledElsewhere([...byMessageId.keys()], victim, diedAt).map((messageId) => byMessageId.get(messageId) ?? messageId),
    };
  }

  /** The client ports a process has used to reach the proxy, those of connections it has closed since included. */
  private portsOf(pid: number): Set<number> | undefined {
    const ports = socketPortsOf(pid, this.proxy.port);
    const known = this.knownPorts.get(pid);
    if (!ports) return known;
    const all = new Set([...(known ?? []), ...ports]);
    this.knownPorts.set(pid, all);
    return all;
  }

  private queueSuffix(queue: string): string {
    return `/${this.prefix}-${queue}`;
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await deleteShopTopology(this.settings, this.prefix);
  }
}
