import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import type { Closable, DeliveryHandler, ReceiveGate } from '@stitch/messaging-core';
import type { ReceiverLike, SenderLike } from './client';
import { ServiceBusDelivery } from './delivery';
import { LockRenewer } from './lock-renewal';
import { attemptOf, toIncomingMessage, type RetryTarget } from './mapping';
import { describeError, warn } from './warn';

export interface ConsumerOptions {
  readonly receiver: ReceiverLike;
  readonly retrySender: () => SenderLike;
  readonly target: RetryTarget;
  /** Names the consumer in warnings: `queue order-service`. */
  readonly label: string;
  /**
   * The broker's `maxDeliveryCount`. A retry copy's own count restarts, so the broker cannot enforce it across
   * copies: a copy that arrives beyond it (its consumers kept dying) is dead-lettered here, unseen by the handler.
   */
  readonly maxDeliveryCount: number;
  readonly handler: DeliveryHandler;
  /** `maxConcurrentCalls`: messages locked and in handlers at once in this replica. */
  readonly concurrency: number;
  /** While paused, receive nothing new. */
  readonly gate?: ReceiveGate;
  /** How long one receive call waits for a message before asking again. */
  readonly maxWaitMs?: number;
}

const RECONNECT_BACKOFF_MS = [250, 1_000, 5_000];

/**
 * A receive loop on one queue or subscription in peek-lock mode: it asks for as many messages as it has free slots,
 * hands each to the handler without waiting for the others, renews each lock while its handler runs, and on close
 * stops asking, waits for the handlers in hand and their settles, then closes the link.
 */
export class ServiceBusConsumer implements Closable {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private slotFreed: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private closed: Promise<void> | undefined;

  constructor(private readonly options: ConsumerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.abort.abort();
    this.slotFreed?.();
    await this.loop;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.options.receiver.close();
  }

  private async run(): Promise<void> {
    const { receiver, concurrency, label } = this.options;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const room = concurrency - this.inFlight.size;
      const { gate } = this.options;
      if (room <= 0 || gate?.paused) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
          if (gate?.paused) void gate.whenResumed().then(resolve);
        });
        continue;
      }
      let messages: ServiceBusReceivedMessage[];
      try {
        messages = await receiver.receiveMessages(room, {
          maxWaitTimeInMs: this.options.maxWaitMs ?? 5_000,
          abortSignal: this.abort.signal,
        });
        failures = 0;
      } catch (error) {
        if (this.abort.signal.aborted) break;
        const backoff = RECONNECT_BACKOFF_MS[Math.min(failures, RECONNECT_BACKOFF_MS.length - 1)] ?? 5_000;
        if (failures === 0)
          warn(`Service Bus transport: receiving from ${label} failed, retrying in ${backoff} ms: ${describeError(error)}`);
        failures++;
        await this.pause(backoff);
        continue;
      }
      for (const message of messages) this.dispatch(message);
    }
  }

  private dispatch(raw: ServiceBusReceivedMessage): void {
    const { receiver, retrySender, target, label, maxDeliveryCount, handler } = this.options;
    const attempt = attemptOf(raw);
    const renewer = new LockRenewer(
      () => receiver.renewMessageLock(raw),
      (error) =>
        warn(
          `Service Bus transport: lost the lock on message ${String(raw.messageId)} from ${label}; it will be delivered again: ${describeError(error)}`,
        ),
    );
    const delivery = new ServiceBusDelivery(toIncomingMessage(raw), attempt, raw, { receiver, retrySender, target, renewer });
    const work = async () => {
      if (attempt > maxDeliveryCount) {
        await delivery.deadLetter(
          'MaxDeliveryCountExceeded',
          `delivered ${attempt} times, more than the ${maxDeliveryCount} ${label} allows`,
        );
        return;
      }
      renewer.start(raw.lockedUntilUtc?.getTime() ?? Date.now());
      try {
        await handler(delivery);
      } catch (error) {
        if (!delivery.settled) await delivery.release();
        else throw error;
      } finally {
        // Resolved without settling: like the broker, leave the message locked until the lock lapses, unrenewed.
        renewer.stop();
      }
    };
    const task = work()
      .catch((error: unknown) =>
        warn(
          `Service Bus transport: could not settle message ${String(raw.messageId)} from ${label}; it will be delivered again: ${describeError(error)}`,
        ),
      )
      .finally(() => {
        this.inFlight.delete(task);
        this.slotFreed?.();
        this.slotFreed = undefined;
      });
    this.inFlight.add(task);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
