import path from 'node:path';
import type { Destination } from '@stitch/messaging-core';
import { benchCatalogue, busSends, ConsumerProcess, type QueueUnderTest } from '@stitch/bench-testing';
import { createLocalTransport } from '../src';

const queue: Destination = { kind: 'queue', name: 'worker' };

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
  return {
    file,
    consumers: processes,
    // Each message of `send` is its own send (its own transaction), as a handler's single command would be.
    ...busSends(transport, benchCatalogue, queue),
    async close() {
      await Promise.all(processes.map((process) => process.stop()));
      await transport.close();
    },
  };
}
