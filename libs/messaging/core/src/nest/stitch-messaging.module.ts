import os from 'node:os';
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { Catalogue, Topology } from '@stitch/messaging-catalogue';
import { MessageBus } from '../bus';
import { createLogger } from '../logger';
import { MessagingRuntime } from '../runtime';
import type { Transport } from '../transport';
import type { HandlerWrapper } from '../consumer';
import type { OutgoingDispatcher } from '../outgoing';
import { ConfigError } from '../config-error';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { Readiness } from './readiness';
import { StitchClient } from './stitch.client';
import { messagingConfig, type MessagingConfig } from './messaging.config';
import { httpConfig } from './http.config';
import { serviceConfig, type ServiceConfig } from './service.config';

export interface TransportContext {
  readonly topology: Topology;
  readonly service: string;
  readonly instance: string;
  readonly config: MessagingConfig;
  /**
   * A tool working on the topology (the dead-letter desk), not a service of a shop: it checks the shop marker only
   * when STITCH_SHOP_ID is set. A service always runs with one.
   */
  readonly tool?: boolean;
}

export type TransportFactory = (context: TransportContext) => Transport;

export interface StitchMessagingOptions {
  readonly service: string;
  readonly catalogue: Catalogue;
  /** The transports this app can run on, by `MESSAGING_TRANSPORT` value; config picks one at start. */
  readonly transports: Partial<Record<MessagingConfig['transport'], TransportFactory>>;
  /** Modules that provide the outbox and inbox below. */
  readonly imports?: ModuleMetadata['imports'];
  /** Where the bus hands messages (an outbox); default straight to the transport. */
  readonly dispatcher?: InjectionToken<OutgoingDispatcher>;
  /** Around every handler call (an inbox and its transaction). */
  readonly handlerWrapper?: InjectionToken<{ wrap: HandlerWrapper }>;
}

export const STITCH_MESSAGING_OPTIONS = Symbol('STITCH_MESSAGING_OPTIONS');

@Injectable()
class RuntimeLifecycle implements OnApplicationShutdown {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}

@Module({})
export class StitchMessagingModule {
  static forRoot(options: StitchMessagingOptions): DynamicModule {
    return {
      module: StitchMessagingModule,
      global: true,
      imports: [
        ConfigModule.forFeature(messagingConfig),
        ConfigModule.forFeature(serviceConfig),
        ConfigModule.forFeature(httpConfig),
        // A failing readiness probe is an answer, not an error: the 503 says why, nothing more is logged.
        TerminusModule.forRoot({ logger: false }),
        ...(options.imports ?? []),
      ],
      controllers: [HealthController],
      providers: [
        { provide: STITCH_MESSAGING_OPTIONS, useValue: options },
        {
          provide: Readiness,
          inject: [MessagingRuntime],
          useFactory: (runtime: MessagingRuntime) => {
            const readiness = new Readiness();
            readiness.add('transport', () => runtime.transport.checkReady?.() ?? Promise.resolve());
            readiness.add('consumer', async () => {
              const paused = runtime.breaker.describe();
              if (paused) throw new Error(paused);
            });
            return readiness;
          },
        },
        {
          provide: MessagingRuntime,
          // The outbox and inbox are injected, not looked up, so Nest builds them (async factories included) first.
          inject: [
            messagingConfig.KEY,
            serviceConfig.KEY,
            ...(options.dispatcher ? [options.dispatcher] : []),
            ...(options.handlerWrapper ? [options.handlerWrapper] : []),
          ],
          useFactory: async (config: MessagingConfig, service: ServiceConfig, ...hooks: unknown[]) => {
            const outbox = options.dispatcher ? (hooks.shift() as OutgoingDispatcher) : undefined;
            const wrapper = options.handlerWrapper ? (hooks.shift() as { wrap: HandlerWrapper }) : undefined;
            const factory = options.transports[config.transport];
            if (!factory) {
              throw new ConfigError(
                `MESSAGING_TRANSPORT=${config.transport} is not available to ${options.service} (available: ${Object.keys(options.transports).join(', ')})`,
              );
            }
            const instance = service.instanceId ?? defaultInstanceId(options.service);
            const logger = createLogger({ service: options.service, instance }, service.logLevel);
            const transport = factory({ topology: options.catalogue.topology(), service: options.service, instance, config });
            await transport.start();
            return new MessagingRuntime({
              catalogue: options.catalogue,
              service: options.service,
              instance,
              transport,
              settings: { ...config, restarts: service.restarts },
              logger,
              dispatcher: outbox ?? new StitchClient(transport),
              ...(wrapper ? { wrapHandler: (envelope, work) => wrapper.wrap(envelope, work) } : {}),
            });
          },
        },
        { provide: MessageBus, inject: [MessagingRuntime], useFactory: (runtime: MessagingRuntime) => runtime.bus },
        RuntimeLifecycle,
      ],
      exports: [MessagingRuntime, MessageBus, Readiness],
    };
  }
}

/**
 * A replica's name when no supervisor gave it one: the process id on a shared host; in a container, where every
 * replica is process 1, the container's host name (its id), so that replicas of one image stay apart.
 */
export function defaultInstanceId(service: string, pid = process.pid, hostname = os.hostname()): string {
  if (pid !== 1) return `${service}-${pid}`;
  return `${service}-${hostname.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`;
}
