import { shopCatalogue } from '@stitch/contracts';
import { AwsTransport, createAwsClients, type AwsClientSettings } from '@stitch/messaging-aws';
import type { DeadLetteredMessage, Source } from '@stitch/messaging-core';
import { deleteShopTopology, provisionShopTopology } from '@stitch/shop-testing';
import { AwsProxy } from './aws-proxy';
import { socketPortsOf } from './socket-ports';
import type { Restore, TransportFaults } from './transport-faults';

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
    return { MESSAGING_TRANSPORT: 'aws', AWS_ENDPOINT_URL: this.proxy.url, AWS_REGION: this.settings.region ?? 'us-east-1', STITCH_PREFIX: this.prefix };
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
    const transport = new AwsTransport({ topology: shopCatalogue.topology(), clients: createAwsClients(this.settings), prefix: this.prefix });
    await transport.start();
    try {
      return await transport.deadLetters.list(source);
    } finally {
      await transport.close();
    }
  }

  /**
   * SQS does not say who holds a message, but the proxy sees every receive and delete, and /proc which process
   * owns a connection. The ports are remembered, so the count still reads right after the process is killed.
   */
  messagesInHand(pid: number, queue: string): number | undefined {
    const ports = socketPortsOf(pid) ?? this.knownPorts.get(pid);
    if (!ports) return undefined;
    this.knownPorts.set(pid, new Set([...(this.knownPorts.get(pid) ?? []), ...ports]));
    return this.proxy.inHand(this.knownPorts.get(pid) as Set<number>, `/${this.prefix}-${queue}`);
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await deleteShopTopology(this.settings, this.prefix);
  }
}
