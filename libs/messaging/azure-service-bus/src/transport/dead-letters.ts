import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import type { DeadLetteredMessage, DeadLetterQueues, Source } from '@stitch/messaging-core';
import Long from 'long';
import type { Addresses, Endpoint } from './addresses';
import type { ReceiverLike, SenderLike, ServiceBusClientLike } from './client';
import { Props, replayCopy, toIncomingMessage } from './mapping';

const PAGE = 250;
/** How long a sweep of a dead-letter queue waits for more before it takes the queue as read. */
const SWEEP_WAIT_MS = 1_000;

function asDeadLetter(raw: ServiceBusReceivedMessage): DeadLetteredMessage {
  const properties = raw.applicationProperties ?? {};
  const stamped = Number(properties[Props.attempts]);
  const prior = Number(properties[Props.priorAttempts] ?? 0) || 0;
  const at = Number(properties[Props.deadLetteredAt]);
  return {
    id: String(raw.sequenceNumber ?? ''),
    message: toIncomingMessage(raw),
    reason: raw.deadLetterReason ?? '',
    description: raw.deadLetterErrorDescription ?? '',
    deadLetteredAt: Number.isFinite(at) && at > 0 ? at : (raw.enqueuedTimeUtc?.getTime() ?? 0),
    // Dead-lettered by a consumer: the attempt it stamped. By the broker: every delivery it counted failed.
    attempts: Number.isInteger(stamped) && stamped > 0 ? stamped : prior + (raw.deliveryCount ?? 0),
  };
}

/**
 * The `$DeadLetterQueue` sub-queue of each queue and subscription. Service Bus can only peek a dead-letter queue or
 * lock its messages in order, so replay and purge sweep it: they lock every message, act on those asked for and
 * abandon the rest. Replay sends a copy back to the entity it failed at: a queue, or the topic addressed with `to`
 * to the failing subscription alone, so the other subscribers do not see the event twice.
 */
export class ServiceBusDeadLetters implements DeadLetterQueues {
  constructor(
    private readonly client: () => ServiceBusClientLike,
    private readonly addresses: Addresses,
    private readonly sender: (entity: string) => SenderLike,
  ) {}

  async list(source: Source, options?: { readonly limit?: number }): Promise<DeadLetteredMessage[]> {
    const limit = options?.limit ?? Number.POSITIVE_INFINITY;
    return this.withReceiver(this.addresses.of(source), async (receiver) => {
      const found: DeadLetteredMessage[] = [];
      while (found.length < limit) {
        const want = Math.min(PAGE, limit - found.length);
        const page = await receiver.peekMessages(want);
        found.push(...page.map(asDeadLetter));
        if (page.length < want) break;
      }
      return found;
    });
  }

  async peek(source: Source, id: string): Promise<DeadLetteredMessage | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    return this.withReceiver(this.addresses.of(source), async (receiver) => {
      const [raw] = await receiver.peekMessages(1, { fromSequenceNumber: Long.fromString(id) });
      return raw && String(raw.sequenceNumber) === id ? asDeadLetter(raw) : undefined;
    });
  }

  async replay(source: Source, ids?: readonly string[]): Promise<number> {
    const endpoint = this.addresses.of(source);
    return this.sweep(endpoint, ids, async (raw) => {
      await this.sender(endpoint.sendTo).sendMessages(replayCopy(raw, endpoint.target));
    });
  }

  async purge(source: Source, ids?: readonly string[]): Promise<number> {
    return this.sweep(this.addresses.of(source), ids, async () => undefined);
  }

  private async sweep(
    endpoint: Endpoint,
    ids: readonly string[] | undefined,
    act: (raw: ServiceBusReceivedMessage) => Promise<void>,
  ): Promise<number> {
    const wanted = ids ? new Set(ids) : undefined;
    if (wanted?.size === 0) return 0;
    return this.withReceiver(endpoint, async (receiver) => {
      const passedOver: ServiceBusReceivedMessage[] = [];
      let done = 0;
      try {
        while (!wanted || done < wanted.size) {
          const batch = await receiver.receiveMessages(PAGE, { maxWaitTimeInMs: SWEEP_WAIT_MS });
          if (batch.length === 0) break;
          for (const raw of batch) {
            if (wanted && !wanted.has(String(raw.sequenceNumber))) {
              passedOver.push(raw);
              continue;
            }
            await act(raw);
            await receiver.completeMessage(raw);
            done++;
          }
        }
      } finally {
        await Promise.allSettled(passedOver.map((raw) => receiver.abandonMessage(raw)));
      }
      return done;
    });
  }

  private async withReceiver<T>(endpoint: Endpoint, work: (receiver: ReceiverLike) => Promise<T>): Promise<T> {
    const receiver = endpoint.open(this.client(), { subQueueType: 'deadLetter', receiveMode: 'peekLock', skipParsingBodyAsJson: true });
    try {
      return await work(receiver);
    } finally {
      await receiver.close();
    }
  }
}
