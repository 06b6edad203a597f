import type { Closable, FlowChannel } from '@stitch/messaging-core';
import { FLOW_SUBSCRIPTION } from '../entities';
import type { ServiceBusClientLike, SenderLike } from './client';
import { bodyText, CONTENT_TYPE } from './mapping';
import { sendInBatches } from './send';
import { describeError, warn } from './warn';

const FLOW_SUBJECT = 'stitch.flow-record';

/**
 * The `flow` topic and its one provisioned subscription. Services never create entities, so storefront replicas
 * compete for the records rather than each having its own subscription. Receive-and-delete: a record is delivered
 * at most once and never retried; the topic's short time-to-live drops what nobody reads.
 */
export class ServiceBusFlow implements FlowChannel {
  constructor(
    private readonly client: () => ServiceBusClientLike,
    private readonly topic: string,
    private readonly sender: () => SenderLike,
    private readonly ttlMs: number,
    private readonly maxMessageBytes: number,
  ) {}

  async publish(records: readonly string[]): Promise<void> {
    const messages = records.map((record) => ({
      subject: FLOW_SUBJECT,
      contentType: CONTENT_TYPE,
      timeToLive: this.ttlMs,
      body: Buffer.from(record, 'utf8'),
    }));
    await sendInBatches(this.sender(), messages, this.maxMessageBytes);
  }

  async subscribe(onRecord: (record: string) => void): Promise<Closable> {
    const receiver = this.client().createReceiver(this.topic, FLOW_SUBSCRIPTION, {
      receiveMode: 'receiveAndDelete',
      skipParsingBodyAsJson: true,
    });
    await receiver.peekMessages(1).catch(async (error: unknown) => {
      await receiver.close();
      throw new Error(`Service Bus transport: cannot read subscription ${this.topic}/${FLOW_SUBSCRIPTION}: ${describeError(error)}`);
    });
    const abort = new AbortController();
    const loop = (async () => {
      let warned = false;
      while (!abort.signal.aborted) {
        try {
          const messages = await receiver.receiveMessages(100, { maxWaitTimeInMs: 5_000, abortSignal: abort.signal });
          warned = false;
          for (const message of messages) onRecord(bodyText(message.body));
        } catch (error) {
          if (abort.signal.aborted) break;
          if (!warned) warn(`Service Bus transport: reading flow records failed: ${describeError(error)}`);
          warned = true;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
    })();
    return {
      close: async () => {
        abort.abort();
        await loop;
        await receiver.close();
      },
    };
  }
}
