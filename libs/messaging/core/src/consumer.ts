import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Catalogue, MessageDefinition } from '@stitch/messaging-catalogue';
import { CircuitBreaker } from './circuit-breaker';
import { networkFailure } from './config-error';
import { parseEnvelope } from './cloud-event';
import { traceIdOf, type Envelope } from './envelope';
import { DependencyUnavailableError, describeIssues } from './errors';
import type { FlowOutcome, FlowRecorder } from './flow';
import { DELIVER_AT_HEADER } from './headers';
import type { Logger } from './logger';
import { contextForEnvelope, runInMessageContext } from './message-context';
import { ConsumerMetrics, inConsumerSpan, messageAttributes, messagingSystem, observeQueueDepth } from './messaging-telemetry';
import { withoutInternals } from './without-internals';
import {
  decideRetry,
  defaultRetryPolicy,
  mergeRetryPolicy,
  type ErrorClass,
  type HandlerRetryOptions,
  type RetryDecision,
  type RetryPolicy,
} from './retry-policy';
import { describeSource, type Closable, type Delivery, type Source, type Transport } from './transport';

/** `attempt` is the transport's delivery count: 1 on the first delivery. */
export type MessageHandlerFn = (envelope: Envelope, definition: MessageDefinition, attempt: number) => Promise<void>;

/**
 * Runs around every handler call, inside the message context: where a service joins the handler's state
 * changes, its inbox record and its outbox in one transaction. It resolves to `'duplicate'` when it skipped the
 * work because the message had already been handled (an inbox), so the repeat is recorded as one.
 */
export type HandlerWrapper = (envelope: Envelope, work: () => Promise<void>) => Promise<WrappedOutcome | void>;

/** What a handler wrapper reports when it did not run the handler: the message was handled before. */
export type WrappedOutcome = 'duplicate';

export interface ConsumerOptions {
  readonly transport: Transport;
  readonly catalogue: Catalogue;
  readonly service: string;
  readonly instance: string;
  /** Every type this service handles, by type. The catalogue must agree on each. */
  readonly handlers: ReadonlyMap<string, MessageHandlerFn>;
  readonly logger: Logger;
  /** The service's retry defaults. */
  readonly retry?: RetryPolicy;
  /** A handler's own retry policy and permanent errors, by type, over the defaults. */
  readonly handlerOptions?: ReadonlyMap<string, HandlerRetryOptions>;
  readonly concurrency?: number;
  readonly lockMs?: number;
  readonly flow?: FlowRecorder;
  readonly wrapHandler?: HandlerWrapper;
  /** Pauses consumption while a dependency is unreachable; by default probes after 1 s, backing off to 10 s. */
  readonly breaker?: CircuitBreaker;
}

/** A queue or subscription this service consumes, with the catalogue's limits for it. */
export interface Endpoint {
  readonly source: Source;
  readonly kind: 'command' | 'event';
  readonly types: ReadonlySet<string>;
  readonly maxAttempts: number;
}

export type ProcessOutcome = FlowOutcome | 'deferred' | 'unsettled';

interface HandlerPolicy {
  readonly retry: RetryPolicy;
  readonly permanent: readonly ErrorClass[];
}

type Parsed = { envelope: Envelope; definition: MessageDefinition } | { reason: string; description: string; envelope?: Envelope };

/**
 * Receives a service's messages and applies the settle rules: a message is settled only after its handler has
 * finished; success completes it; a failure releases it again, at once for the first few attempts and then
 * after a growing backoff (the handler's retry policy); a permanent error, the last allowed attempt and any
 * message that cannot be handled (not an envelope, unknown type, wrong kind, invalid data) dead-letter it.
 */
export class MessageConsumer {
  private readonly receivers: Closable[] = [];
  readonly endpoints: readonly Endpoint[];
  private readonly defaultPolicy: HandlerPolicy;
  private readonly policies = new Map<string, HandlerPolicy>();
  readonly breaker: CircuitBreaker;
  private readonly metrics = new ConsumerMetrics();
  private readonly system: string;
  private stopObservingDepth: () => void = () => undefined;

  constructor(private readonly options: ConsumerOptions) {
    this.system = messagingSystem(options.transport.name);
    this.endpoints = endpointsOf(options.catalogue, options.service);
    this.breaker = options.breaker ?? new CircuitBreaker({ probeDelayMs: 1_000, maxProbeDelayMs: 10_000, logger: options.logger });
    this.defaultPolicy = { retry: mergeRetryPolicy(defaultRetryPolicy, options.retry), permanent: [] };
    for (const [type, own] of options.handlerOptions ?? []) {
      try {
        this.policies.set(type, { retry: mergeRetryPolicy(this.defaultPolicy.retry, own.retry), permanent: own.permanent ?? [] });
      } catch (error) {
        throw new Error(`${options.service}'s handler for ${options.catalogue.find(type)?.name ?? type}: ${asError(error).message}`);
      }
    }
  }

  /** The retry policy and permanent errors the consumer applies to a failure of this type's handler. */
  policyFor(type: string): HandlerPolicy {
    return this.policies.get(type) ?? this.defaultPolicy;
  }

  async start(): Promise<void> {
    this.checkHandlers();
    const { transport } = this.options;
    const lockMs = this.options.lockMs ?? 30_000;
    if (lockMs < transport.capabilities.minLockMs) {
      throw new Error(
        `lock of ${lockMs} ms is shorter than the ${transport.name} transport allows (${transport.capabilities.minLockMs} ms)`,
      );
    }
    for (const endpoint of this.endpoints) {
      const receiver = await transport.receive(endpoint.source, (delivery) => this.process(endpoint, delivery).then(() => undefined), {
        concurrency: this.options.concurrency ?? 16,
        lockMs,
        gate: this.breaker,
      });
      this.receivers.push(receiver);
      this.options.logger.info({ source: describeSource(endpoint.source), types: [...endpoint.types] }, 'receiving');
    }
    this.stopObservingDepth = observeQueueDepth(
      transport,
      this.endpoints.map((endpoint) => endpoint.source),
      this.options.service,
    );
  }

  /** Stops taking messages, lets those in hand finish and settle, then sends the last flow records. */
  async stop(): Promise<void> {
    this.stopObservingDepth();
    this.breaker.stop();
    await Promise.all(this.receivers.splice(0).map((receiver) => receiver.close()));
    await this.options.flow?.drain();
  }

  /** The catalogue and the code must agree: a handler nobody routes to, or a route nobody handles, stops start. */
  private checkHandlers(): void {
    const expected = new Set(this.endpoints.flatMap((endpoint) => [...endpoint.types]));
    const problems: string[] = [];
    for (const type of this.options.handlers.keys()) {
      const definition = this.options.catalogue.find(type);
      if (!definition) problems.push(`a handler for "${type}", which is not in the catalogue`);
      else if (!expected.has(type)) {
        problems.push(
          definition.kind === 'command'
            ? `a handler for ${definition.name}, a command owned by ${definition.owner}`
            : `a handler for ${definition.name}, an event the catalogue does not subscribe ${this.options.service} to`,
        );
      }
    }
    for (const type of expected) {
      if (!this.options.handlers.has(type)) problems.push(`no handler for ${this.options.catalogue.find(type)?.name ?? type}`);
    }
    if (problems.length > 0) throw new Error(`${this.options.service} cannot start: ${problems.join('; ')}`);
  }

  async process(endpoint: Endpoint, delivery: Delivery): Promise<ProcessOutcome> {
    const { logger, service } = this.options;
    const parsed = this.parse(endpoint, delivery);
    if ('reason' in parsed) {
      logger.warn({ messageId: delivery.message.messageId, type: delivery.message.type, reason: parsed.reason }, parsed.description);
      const outcome = await this.settle(delivery, parsed.envelope, 'dead-lettered', () =>
        delivery.deadLetter(parsed.reason, parsed.description),
      );
      this.metrics.record(outcome, undefined, {
        'messaging.system': this.system,
        'stitch.message.type': parsed.envelope?.type ?? delivery.message.type ?? 'unknown',
        'stitch.service': service,
      });
      return outcome;
    }
    const { envelope } = parsed;
    const startedAt = performance.now();
    return inConsumerSpan(this.system, endpoint.source, envelope, delivery.attempt, async (span) => {
      const outcome = await this.handle(endpoint, delivery, parsed);
      span.setAttribute('stitch.outcome', outcome);
      const {
        'messaging.message.id': _id,
        'messaging.message.conversation_id': _conversation,
        ...byType
      } = messageAttributes(this.system, endpoint.source, envelope);
      this.metrics.record(outcome, (performance.now() - startedAt) / 1000, { ...byType, 'stitch.service': service });
      return outcome;
    });
  }

  /** Runs the handler of a valid message inside its consumer span, and settles the delivery by the outcome. */
  private async handle(
    endpoint: Endpoint,
    delivery: Delivery,
    { envelope, definition }: { envelope: Envelope; definition: MessageDefinition },
  ): Promise<ProcessOutcome> {
    const { logger, service } = this.options;
    if (await this.deferIfEarly(endpoint, delivery)) return 'deferred';

    const handler = this.options.handlers.get(envelope.type);
    if (!handler) {
      return this.settle(delivery, envelope, 'dead-lettered', () =>
        delivery.deadLetter('NoHandler', `${service} has no handler for ${definition.name}`),
      );
    }
    const startedAt = performance.now();
    let wrapped: WrappedOutcome | void;
    try {
      wrapped = await this.runWhileReachable(envelope, () => handler(envelope, definition, delivery.attempt));
    } catch (thrown) {
      const error = asError(thrown);
      const span = trace.getActiveSpan();
      span?.recordException(error);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      if (error instanceof ShutDownWhileHeld) {
        logger.info({ messageId: envelope.id, type: envelope.type }, `${definition.name} held through an outage; given back at shutdown`);
        return this.settle(delivery, envelope, 'retried', () => delivery.retryLater(0));
      }
      const log = {
        messageId: envelope.id,
        type: envelope.type,
        correlationId: envelope.correlationId,
        attempt: delivery.attempt,
        err: error,
      };
      const policy = this.policyFor(envelope.type);
      const decision = decideRetry({
        error,
        attempt: delivery.attempt,
        maxAttempts: endpoint.maxAttempts,
        policy: policy.retry,
        permanent: policy.permanent,
        granularityMs: this.options.transport.capabilities.timeGranularityMs,
      });
      if (decision.action === 'dead-letter') {
        logger.error({ ...log, rule: decision.rule }, `${definition.name} ${DEAD_LETTER_LOG[decision.rule]}; dead-lettering it`);
        // The error's words only: never its stack, paths or source lines (those stay in the log line above).
        const reason = withoutInternals(`${error.name}: ${error.message}`);
        const description = `${DEAD_LETTER_RULE[decision.rule]}: failed on attempt ${delivery.attempt} of ${endpoint.maxAttempts} in ${this.options.instance}`;
        return this.settle(delivery, envelope, 'dead-lettered', () => delivery.deadLetter(reason, description));
      }
      logger.warn(
        { ...log, rule: decision.rule, retryInMs: decision.delayMs },
        `${definition.name} failed; retrying ${describeRetry(decision)}`,
      );
      return this.settle(delivery, envelope, 'retried', () => delivery.retryLater(decision.delayMs));
    }
    const ms = Math.round((performance.now() - startedAt) * 10) / 10;
    const duplicate = wrapped === 'duplicate';
    // A repeat keeps the `handled …` line (one per delivery that completed, which the fault tests count), marked.
    logger.info(
      {
        messageId: envelope.id,
        type: envelope.type,
        from: envelope.source,
        correlationId: envelope.correlationId,
        attempt: delivery.attempt,
        ms,
        ...(duplicate ? { duplicate: true } : {}),
      },
      duplicate ? `handled ${definition.name}: a repeat, already handled, so skipped` : `handled ${definition.name}`,
    );
    return this.settle(delivery, envelope, duplicate ? 'duplicate' : 'handled', () => delivery.complete());
  }

  /**
   * Runs the handler when the circuit lets it, and again each time it fails because a dependency is unreachable:
   * the delivery stays in hand, locked, with no attempt spent, until the dependency answers or the service stops.
   */
  private async runWhileReachable(envelope: Envelope, work: () => Promise<void>): Promise<WrappedOutcome | void> {
    const wrap = this.options.wrapHandler;
    for (;;) {
      if ((await this.breaker.turn()) === 'stopped') throw new ShutDownWhileHeld();
      let outcome: WrappedOutcome | void;
      try {
        outcome = await runInMessageContext(contextForEnvelope(envelope), () => (wrap ? wrap(envelope, work) : work()));
      } catch (thrown) {
        const error = asError(thrown);
        if (!isUnavailable(error)) {
          this.breaker.reachable();
          throw error;
        }
        this.breaker.unavailable(error);
        continue;
      }
      this.breaker.reachable();
      return outcome;
    }
  }

  private parse(endpoint: Endpoint, delivery: Delivery): Parsed {
    let json: unknown;
    try {
      json = JSON.parse(delivery.message.body);
    } catch (error) {
      return { reason: 'InvalidMessage', description: withoutInternals(`body is not JSON: ${asError(error).message}`) };
    }
    const read = parseEnvelope(json);
    if (read.format === undefined) return { reason: 'InvalidMessage', description: read.problem };
    const { envelope } = read;
    const definition = this.options.catalogue.find(envelope.type);
    if (!definition) {
      return { reason: 'UnknownMessageType', description: `"${envelope.type}" is not in the catalogue`, envelope };
    }
    if (definition.kind !== envelope.kind || !endpoint.types.has(envelope.type)) {
      return {
        reason: 'UnexpectedMessage',
        description: `${definition.name} (${definition.kind}) does not belong on ${describeSource(endpoint.source)}`,
        envelope,
      };
    }
    const data = definition.schema.safeParse(envelope.data);
    if (!data.success) {
      return { reason: 'SchemaValidationFailed', description: `${definition.name}: ${describeIssues(data.error.issues)}`, envelope };
    }
    return { envelope: { ...envelope, data: data.data }, definition };
  }

  /** A delay longer than the transport's longest arrives early; send it on for the rest of its wait. */
  private async deferIfEarly(endpoint: Endpoint, delivery: Delivery): Promise<boolean> {
    const dueAt = Number(delivery.message.headers[DELIVER_AT_HEADER]);
    const { transport } = this.options;
    if (!Number.isFinite(dueAt) || endpoint.source.kind !== 'queue') return false;
    const now = Date.now();
    if (dueAt <= now + transport.capabilities.timeGranularityMs) return false;
    const { message } = delivery;
    await transport.send({ kind: 'queue', name: endpoint.source.name }, [
      {
        messageId: message.messageId,
        type: message.type,
        correlationId: message.correlationId,
        body: message.body,
        headers: message.headers,
        notBefore: now + Math.min(dueAt - now, transport.capabilities.maxDelayMs),
      },
    ]);
    await delivery.complete();
    return true;
  }

  private async settle(
    delivery: Delivery,
    envelope: Envelope | undefined,
    outcome: FlowOutcome,
    action: () => Promise<void>,
  ): Promise<ProcessOutcome> {
    try {
      await action();
    } catch (error) {
      // The lock is gone or the transport is down: the message comes back and the inbox absorbs the repeat.
      this.options.logger.warn({ messageId: delivery.message.messageId, err: error, outcome }, 'could not settle; it will be redelivered');
      return 'unsettled';
    }
    this.options.flow?.record({
      messageId: delivery.message.messageId,
      type: envelope?.type ?? delivery.message.type ?? 'unknown',
      kind: envelope?.kind ?? 'unknown',
      from: envelope?.source ?? 'unknown',
      to: this.options.service,
      instance: this.options.instance,
      ...correlationOf(envelope, delivery),
      at: new Date().toISOString(),
      outcome,
    });
    return outcome;
  }
}

/** What ties a flow record to its checkout and its trace: the envelope's, else what the transport carried. */
function correlationOf(envelope: Envelope | undefined, delivery: Delivery): { correlationId?: string; traceId?: string } {
  const correlationId = envelope?.correlationId ?? delivery.message.correlationId;
  const traceId = traceIdOf(envelope?.traceparent);
  return { ...(correlationId ? { correlationId } : {}), ...(traceId ? { traceId } : {}) };
}

/** The first words of a dead letter's description: which rule sent it there. */
const DEAD_LETTER_RULE = {
  'permanent-error': 'permanent error, not retried',
  'attempts-exhausted': 'attempts exhausted',
} as const;

const DEAD_LETTER_LOG = {
  'permanent-error': 'failed with a permanent error',
  'attempts-exhausted': 'failed on its last attempt',
} as const;

function describeRetry(decision: Extract<RetryDecision, { action: 'retry' }>): string {
  return decision.rule === 'immediate' ? 'at once' : `in ${decision.delayMs} ms`;
}

export function endpointsOf(catalogue: Catalogue, service: string): Endpoint[] {
  const topology = catalogue.topology();
  const endpoints: Endpoint[] = [];
  const queue = topology.queues.find((q) => q.service === service);
  if (queue) {
    endpoints.push({
      source: { kind: 'queue', name: queue.name },
      kind: 'command',
      types: new Set(queue.types),
      maxAttempts: queue.maxAttempts,
    });
  }
  const subscription = topology.topic.subscriptions.find((s) => s.service === service);
  if (subscription) {
    endpoints.push({
      source: { kind: 'subscription', topic: subscription.topic, name: subscription.name },
      kind: 'event',
      types: new Set(subscription.types),
      maxAttempts: subscription.maxAttempts,
    });
  }
  return endpoints;
}

/** A dependency is unreachable: said so by the code that called it, or a network failure it let through. */
export function isUnavailable(error: Error): boolean {
  return error instanceof DependencyUnavailableError || networkFailure(error) !== undefined;
}

class ShutDownWhileHeld extends Error {
  override readonly name = 'ShutDownWhileHeld';
}

function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'object' ? JSON.stringify(thrown) : String(thrown));
}
