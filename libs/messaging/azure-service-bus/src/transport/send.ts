import type { ServiceBusMessage } from '@azure/service-bus';
import type { SenderLike } from './client';
import { assertFits } from './mapping';

/**
 * Sends as few batches as fit: one round trip per batch, each no larger than the link allows. Every message is
 * checked against the tier's limit first, so an oversized one fails the call with its name before anything is sent.
 */
export async function sendInBatches(sender: SenderLike, messages: readonly ServiceBusMessage[], maxMessageBytes: number): Promise<void> {
  for (const message of messages) assertFits(message, maxMessageBytes);
  let batch = await sender.createMessageBatch();
  for (const message of messages) {
    if (batch.tryAddMessage(message)) continue;
    if (batch.count === 0) {
      throw new Error(
        `Service Bus transport: message ${String(message.messageId)} does not fit in a batch of ${batch.maxSizeInBytes} bytes`,
      );
    }
    await sender.sendMessages(batch);
    batch = await sender.createMessageBatch();
    if (!batch.tryAddMessage(message)) {
      throw new Error(
        `Service Bus transport: message ${String(message.messageId)} does not fit in a batch of ${batch.maxSizeInBytes} bytes`,
      );
    }
  }
  if (batch.count > 0) await sender.sendMessages(batch);
}

/** Delayed messages are scheduled, one call per due time (the SDK schedules a list for one time). */
export async function scheduleAll(
  sender: SenderLike,
  messages: readonly { message: ServiceBusMessage; at: number }[],
  maxMessageBytes: number,
): Promise<void> {
  const byTime = new Map<number, ServiceBusMessage[]>();
  for (const { message, at } of messages) {
    assertFits(message, maxMessageBytes);
    const group = byTime.get(at) ?? [];
    group.push(message);
    byTime.set(at, group);
  }
  for (const [at, group] of byTime) await sender.scheduleMessages(group, new Date(at));
}
