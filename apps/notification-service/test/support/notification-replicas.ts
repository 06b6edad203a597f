import type { INestApplication } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import type { MessageData, MessageDefinition } from '@stitch/messaging-catalogue';
import { createEnvelope, toOutgoingMessage, type Closable, type Envelope } from '@stitch/messaging-core';
import { InMemoryTransport } from '@stitch/messaging-core/testing';
import { runService } from '@stitch/persistence';
import { NotificationService } from '../../src/app.module';

/** A notification-service replica, booted whole in this process, competing with the others for its subscription. */
export interface Replica {
  readonly instance: string;
  readonly app: INestApplication;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Several notification-service replicas on one in-memory transport (they compete for each event, as replicas on a
 * broker do) and one database server. Flow records tell which replica handled which message.
 */
export class NotificationReplicas {
  readonly transport = new InMemoryTransport(shopCatalogue.topology());
  /** Message id -> the replicas that handled it (a handler that ran and committed). */
  readonly handledBy = new Map<string, string[]>();
  /** Message id -> the replicas that completed a repeat of it without running the handler (their inbox had it). */
  readonly duplicatesAt = new Map<string, string[]>();

  static async create(): Promise<NotificationReplicas> {
    const replicas = new NotificationReplicas();
    await replicas.transport.flow.subscribe((record) => {
      const { messageId, outcome, instance } = JSON.parse(record) as { messageId: string; outcome: string; instance: string };
      const seen = outcome === 'handled' ? replicas.handledBy : outcome === 'duplicate' ? replicas.duplicatesAt : undefined;
      seen?.set(messageId, [...(seen.get(messageId) ?? []), instance]);
    });
    return replicas;
  }

  /** Boots one replica; the environment (DATABASE_URL, MESSAGING_*, NOTIFICATION_*) is the caller's. */
  async start(instance: string): Promise<Replica> {
    const view = this.replicaView();
    process.env['INSTANCE_ID'] = instance;
    const app = await runService(NotificationService, { transports: { local: () => view.transport }, defaultPort: 0 });
    return { instance, app, url: await app.getUrl(), close: () => app.close() };
  }

  /** Publishes events on the topic, as their publishers' outbox relays do; one send, so replicas take them in turn. */
  async publish(events: ReadonlyArray<{ definition: MessageDefinition; data: unknown; id?: string }>): Promise<Envelope[]> {
    const envelopes = events.map(({ definition, data, id }) => {
      const created = createEnvelope({
        type: definition.type,
        kind: 'event',
        source: definition.kind === 'event' ? definition.publisher : 'test',
        data,
      });
      return id ? { ...created, id } : created;
    });
    await this.transport.send({ kind: 'topic', name: 'events' }, envelopes.map(toOutgoingMessage));
    return envelopes;
  }

  async publishOne<D extends MessageDefinition>(definition: D, data: MessageData<D>, id?: string): Promise<Envelope> {
    const [envelope] = await this.publish([{ definition, data, ...(id ? { id } : {}) }]);
    return envelope as Envelope;
  }

  /**
   * The shared transport as one replica sees it: its receivers join the others on each queue and subscription,
   * and closing the replica closes only its own receivers, not the transport under the other replicas.
   */
  private replicaView(): { transport: InMemoryTransport } {
    const shared = this.transport;
    const own: Closable[] = [];
    const transport = Object.create(shared) as InMemoryTransport;
    transport.receive = async (source, handler, options) => {
      const receiver = await shared.receive(source, handler, options);
      own.push(receiver);
      return receiver;
    };
    transport.close = async () => {
      await Promise.all(own.map((receiver) => receiver.close()));
    };
    return { transport };
  }
}
