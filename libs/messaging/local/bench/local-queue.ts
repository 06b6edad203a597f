import path from 'node:path';
import { MessageBus, type Destination, type OutgoingDispatcher, type OutgoingMessage } from '@stitch/messaging-core';
import { benchCatalogue, ConsumerProcess, Ping, type Ping as PingData, type QueueUnderTest } from '@stitch/bench-testing';
import { createLocalTransport } from '../src';

const queue: Destination = { kind: 'queue', name: 'worker' };

/** Holds what the bus sends, so that a batch of commands goes to the transport in one call (one transaction). */
class Collector implements OutgoingDispatcher {
  batch: OutgoingMessage[] = [];
  async dispatch(_destination: Destination, message: OutgoingMessage): Promise<void> {
    this.batch.push(message);
  }
}

/**
 * The embedded transport through the real pipeline: commands built and validated by `MessageBus`, stored in a fresh
 * bus file under `folder`, handled by `MessageConsumer` in `consumers` separate processes (bench-consumer.ts).
 */
export async function openLocalQueue(folder: string, consumers: number, concurrency: number): Promise<QueueUnderTest & { file: string }> {
  const file = path.join(folder, 'bus.db');
  const transport = createLocalTransport({ topology: benchCatalogue.topology(), file });
  await transport.start();
  const processes = await Promise.all(
    Array.from({ length: consumers }, () => ConsumerProcess.start(path.join(__dirname, 'bench-consumer.ts'), { file, concurrency })),
  );
  const collector = new Collector();
  const batchingBus = new MessageBus({
    catalogue: benchCatalogue,
    service: 'driver',
    dispatcher: collector,
    maxDelayMs: transport.capabilities.maxDelayMs,
  });
  // Each message its own send (its own transaction), as a handler's single command would be.
  const directBus = new MessageBus({
    catalogue: benchCatalogue,
    service: 'driver',
    dispatcher: { dispatch: (destination, message) => transport.send(destination, [message]) },
    maxDelayMs: transport.capabilities.maxDelayMs,
  });
  return {
    file,
    consumers: processes,
    async sendBatch(messages: readonly PingData[]) {
      for (const message of messages) await batchingBus.send(Ping, message);
      const batch = collector.batch;
      collector.batch = [];
      await transport.send(queue, batch);
    },
    async send(message: PingData) {
      await directBus.send(Ping, message);
    },
    async close() {
      await Promise.all(processes.map((process) => process.stop()));
      await transport.close();
    },
  };
}
