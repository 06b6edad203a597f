import type { Catalogue } from '@stitch/messaging-catalogue';
import { MessageBus } from './bus';
import { messagingSystem } from './messaging-telemetry';
import { CircuitBreaker } from './circuit-breaker';
import { MessageConsumer, type HandlerWrapper, type MessageHandlerFn } from './consumer';
import { FlowRecorder } from './flow';
import type { Logger } from './logger';
import { TransportDispatcher, type OutgoingDispatcher } from './outgoing';
import type { HandlerRetryOptions, RetryPolicy } from './retry-policy';
import type { Transport } from './transport';

export interface RuntimeSettings {
  readonly concurrency: number;
  readonly lockMs: number;
  readonly retry: RetryPolicy;
  readonly flowEnabled: boolean;
  /** How often a supervisor has restarted this replica (said in its start record). */
  readonly restarts?: number;
  /** How a paused consumer probes a dependency that is down; defaults: 1 s, doubling to 10 s. */
  readonly outage?: { readonly probeDelayMs: number; readonly maxProbeDelayMs: number };
}

export interface MessagingRuntimeOptions {
  readonly catalogue: Catalogue;
  readonly service: string;
  readonly instance: string;
  readonly transport: Transport;
  readonly settings: RuntimeSettings;
  readonly logger: Logger;
  /** Defaults to sending straight to the transport; an outbox replaces it. */
  readonly dispatcher?: OutgoingDispatcher;
  /** Around every handler call: an inbox and its transaction. */
  readonly wrapHandler?: HandlerWrapper;
}

/** Everything one process needs to send and receive, wired once from validated config at the composition root. */
export class MessagingRuntime {
  readonly bus: MessageBus;
  readonly flow: FlowRecorder | undefined;
  private consumer: MessageConsumer | undefined;
  /** Pauses consumption while a dependency is down; readiness reports it. */
  readonly breaker: CircuitBreaker;

  constructor(readonly options: MessagingRuntimeOptions) {
    const { catalogue, service, transport } = options;
    this.bus = new MessageBus({
      catalogue,
      service,
      dispatcher: options.dispatcher ?? new TransportDispatcher(transport),
      maxDelayMs: transport.capabilities.maxDelayMs,
      system: messagingSystem(transport.name),
    });
    this.breaker = new CircuitBreaker({ probeDelayMs: 1_000, maxProbeDelayMs: 10_000, ...options.settings.outage, logger: options.logger });
    this.flow = options.settings.flowEnabled ? new FlowRecorder(transport.flow, options.logger) : undefined;
  }

  get transport(): Transport {
    return this.options.transport;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  /** `handlerOptions`: a handler's own retry policy and permanent errors, by type, over the settings' defaults. */
  async startReceiving(
    handlers: ReadonlyMap<string, MessageHandlerFn>,
    handlerOptions?: ReadonlyMap<string, HandlerRetryOptions>,
  ): Promise<MessageConsumer> {
    const { catalogue, service, instance, transport, settings, logger } = this.options;
    this.consumer = new MessageConsumer({
      transport,
      catalogue,
      service,
      instance,
      handlers,
      logger,
      retry: settings.retry,
      ...(handlerOptions ? { handlerOptions } : {}),
      concurrency: settings.concurrency,
      lockMs: settings.lockMs,
      breaker: this.breaker,
      ...(this.flow ? { flow: this.flow } : {}),
      ...(this.options.wrapHandler ? { wrapHandler: this.options.wrapHandler } : {}),
    });
    await this.consumer.start();
    this.flow?.record({ event: 'replica-started', service, instance, restarts: settings.restarts ?? 0, at: new Date().toISOString() });
    return this.consumer;
  }

  async stopReceiving(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  async close(): Promise<void> {
    await this.stopReceiving();
    await this.flow?.drain();
    await this.options.transport.close();
  }
}
