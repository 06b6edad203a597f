import path from 'node:path';
import { lastValueFrom } from 'rxjs';
import { Logger } from '@nestjs/common';
import { ClientRMQ } from '@nestjs/microservices';
import { ConsumerProcess, Ping, type Ping as PingData, type QueueUnderTest } from '@stitch/bench-testing';

/**
 * @nestjs/microservices' RabbitMQ transport: commands emitted by its `ClientRMQ` (an event pattern: no reply), handled
 * by an `@EventPattern` in a Nest microservice in each of `consumers` processes (rmq-consumer.ts). Nest's defaults
 * otherwise: the queue asserted with no options, messages not persistent.
 */
export async function openRmqQueue(amqpUrl: string, queue: string, consumers: number, concurrency: number): Promise<QueueUnderTest> {
  const processes = await Promise.all(
    Array.from({ length: consumers }, () =>
      ConsumerProcess.start(path.join(__dirname, 'rmq-consumer.ts'), { amqpUrl, queue, concurrency }),
    ),
  );
  // The client logs every connection at info level, between the bench's own lines.
  Logger.overrideLogger(['error', 'warn']);
  const client = new ClientRMQ({ urls: [amqpUrl], queue });
  await client.connect();
  // The client's observable is cold: the message goes when it is subscribed to, and completes when RabbitMQ confirms it.
  const emit = (message: PingData) => lastValueFrom(client.emit(Ping.type, Ping.schema.parse(message)), { defaultValue: undefined });
  return {
    consumers: processes,
    async sendBatch(messages: readonly PingData[]) {
      await Promise.all(messages.map(emit));
    },
    async send(message: PingData) {
      await emit(message);
    },
    async close() {
      await Promise.all(processes.map((process) => process.stop()));
      await client.close();
    },
  };
}
