import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { MessagingRuntime, Readiness } from '@stitch/messaging-core';
import { Inbox } from '../inbox/inbox';
import { OutboxRelay, type OutboxRelayOptions } from '../outbox/outbox-relay';
import { PersistenceParts, ready } from './persistence-parts';

export const RELAY_SETTINGS = Symbol('stitch:persistence:relay-settings');

export type RelaySettings = Pick<OutboxRelayOptions, 'batchSize' | 'recheckMs' | 'batchTimeoutMs' | 'handOffGraceMs'>;

/**
 * Starts the relay once the app has booted, on the messaging runtime's transport, and stops it before that
 * transport closes (every beforeApplicationShutdown hook runs before any onApplicationShutdown hook). At
 * shutdown, once no handler is running, sends what the last handlers wrote if the transport still takes it,
 * then closes the database.
 */
@Injectable()
export class PersistenceLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private runtime: MessagingRuntime | undefined;

  constructor(
    @Inject(PersistenceParts) private readonly parts: PersistenceParts,
    @Inject(RELAY_SETTINGS) private readonly settings: RelaySettings,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    // A hybrid app (HTTP plus the message consumer, as bootstrapService starts one) calls this hook twice.
    if (this.parts.relay) return;
    const runtime = this.messagingRuntime();
    const logger = runtime.logger.child({ component: 'persistence' });
    if (this.parts.appliedMigrationNames.length > 0) logger.info({ migrations: this.parts.appliedMigrationNames }, 'applied migrations');
    const database = ready(this.parts.database, 'database');
    this.parts.inbox = new Inbox(database, logger);
    this.parts.relay = new OutboxRelay({ ...this.settings, database, transport: runtime.transport, logger });
    this.parts.relay.start();
    this.runtime = runtime;
    this.moduleRef.get(Readiness, { strict: false }).add('database', async () => database.client.$queryRawUnsafe('SELECT 1'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.parts.relay?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    // Handlers in hand still use the database: let them finish first (a no-op once the runtime stopped them).
    await this.runtime?.stopReceiving();
    // This hook runs before the messaging module's, which closes the transport; if that ever changes, the
    // flush fails softly and the rows wait for the next start.
    await this.parts.relay?.flush();
    await this.parts.database?.disconnect();
  }

  private messagingRuntime(): MessagingRuntime {
    try {
      return this.moduleRef.get(MessagingRuntime, { strict: false });
    } catch {
      throw new Error('PersistenceModule relays its outbox through the messaging runtime: import StitchMessagingModule as well');
    }
  }
}
