import path from 'node:path';
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type INestApplication,
  type ModuleMetadata,
  type Type,
} from '@nestjs/common';
import type { PrismaPg } from '@prisma/adapter-pg';
import type { Catalogue } from '@stitch/messaging-catalogue';
import { bootstrapService, StitchMessagingModule, type BootstrapOptions, type StitchMessagingOptions } from '@stitch/messaging-core';
import type { PrismaClientLike } from '../database/prisma-client';
import { PersistenceModule } from './persistence.module';
import { INBOX, OUTBOX_DISPATCHER } from './persistence.tokens';

export interface ServiceDefinitionOptions<TClient extends PrismaClientLike> {
  /** The service's name (`Services.order`): its database, queue and subscription are named after it. */
  readonly service: string;
  readonly catalogue: Catalogue;
  /**
   * The service's database. Without one, the service keeps no state: no outbox (what a handler sends goes to the
   * transport before the message is settled, so a failure redelivers it) and no inbox.
   */
  readonly prisma?: {
    /** The service's `prisma` folder, holding `schema/` (with the generated stitch.prisma include) and `migrations/`. */
    readonly dir: string;
    /** Builds the service's generated client on the adapter to its database: `(adapter) => new PrismaClient({ adapter })`. */
    readonly createClient: (adapter: PrismaPg) => TClient;
  };
  /**
   * Whether handlers run in the inbox, so a redelivered message has no second effect (default true). A service
   * that handles no messages (the storefront) has no inbox to run them in.
   */
  readonly inbox?: boolean;
  /** The service's feature modules. */
  readonly imports?: ModuleMetadata['imports'];
  /** App-wide providers (global guards, pipes, filters). */
  readonly providers?: ModuleMetadata['providers'];
  /** HTTP set-up beyond what every service gets (API docs, static files, the client-error shape). */
  readonly http?: Pick<BootstrapOptions, 'configure' | 'clientErrorBody'>;
}

export interface ServiceRunOptions {
  /** The transports the service can run on: the shop's in production, an in-memory one in tests. */
  readonly transports: StitchMessagingOptions['transports'];
  /** The started OpenTelemetry SDK (`@stitch/telemetry`), flushed and shut down last when the service stops. */
  readonly telemetry?: TelemetryHandle;
}

/** What a service needs of `@stitch/telemetry`'s handle (which it may not import: the SDK must load first). */
interface TelemetryHandle {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const TELEMETRY = Symbol('TELEMETRY');

/**
 * Flushes the SDK once the consumer and relay have stopped, while the HTTP server still listens (the storefront exports
 * to its own receiver), and shuts it down after the server has closed, so the spans of the last requests go too.
 */
@Injectable()
class TelemetryShutdown implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(@Inject(TELEMETRY) private readonly telemetry: TelemetryHandle) {}

  beforeApplicationShutdown(): Promise<void> {
    return this.telemetry.flush();
  }

  onApplicationShutdown(): Promise<void> {
    return this.telemetry.shutdown();
  }
}

export interface ServiceDefinition {
  readonly service: string;
  readonly http: Pick<BootstrapOptions, 'configure' | 'clientErrorBody'>;
  /**
   * The whole service as a root module on the given transports. Each call builds a fresh one (its own database
   * client, outbox relay and consumer), so a test can run two replicas of a service in one process.
   */
  forRoot(options: ServiceRunOptions): DynamicModule;
}

/**
 * A service's composition: its database (created and migrated at start), messaging through the outbox and,
 * unless told otherwise, the inbox, and its feature modules. Every service is put together by this one function,
 * and started by `runService`, in production and in tests alike.
 */
export function defineService<TClient extends PrismaClientLike>(options: ServiceDefinitionOptions<TClient>): ServiceDefinition {
  const root = rootModuleClass(options.service);
  return {
    service: options.service,
    http: options.http ?? {},
    forRoot({ transports, telemetry }) {
      const messaging = { service: options.service, catalogue: options.catalogue, transports };
      const { prisma } = options;
      const persistence = prisma
        ? {
            imports: [
              PersistenceModule.forRoot({
                service: options.service,
                schemaPath: path.join(prisma.dir, 'schema'),
                migrationsDir: path.join(prisma.dir, 'migrations'),
                createClient: prisma.createClient,
              }),
            ],
            dispatcher: OUTBOX_DISPATCHER,
            ...(options.inbox === false ? {} : { handlerWrapper: INBOX }),
          }
        : {};
      return {
        module: root,
        imports: [StitchMessagingModule.forRoot({ ...messaging, ...persistence }), ...(options.imports ?? [])],
        providers: [...(options.providers ?? []), ...(telemetry ? [{ provide: TELEMETRY, useValue: telemetry }, TelemetryShutdown] : [])],
      };
    },
  };
}

export interface RunServiceOptions extends ServiceRunOptions {
  /** The port when `PORT` is not set. */
  readonly defaultPort: number;
}

/** Starts a defined service: HTTP and its consumer in one process (see `bootstrapService`). */
export function runService(definition: ServiceDefinition, options: RunServiceOptions): Promise<INestApplication> {
  const { transports, telemetry } = options;
  return bootstrapService(definition.forRoot({ transports, telemetry }), { defaultPort: options.defaultPort, ...definition.http });
}

/** A module class of the service's own name (`order-service` -> `OrderServiceModule`), which Nest's errors name. */
function rootModuleClass(service: string): Type {
  const name = `${service.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase())}Module`;
  const root = { [name]: class {} }[name] as Type;
  Module({})(root);
  return root;
}
