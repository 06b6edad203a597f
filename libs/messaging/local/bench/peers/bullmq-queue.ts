import path from 'node:path';
import { Queue } from 'bullmq';
import { ConsumerProcess, Ping, type Ping as PingData, type QueueUnderTest } from '@stitch/bench-testing';

/** Completed jobs are removed, as Stitch deletes a settled message; BullMQ's default keeps every one in Redis. */
const jobOptions = { removeOnComplete: true, removeOnFail: true };

/** BullMQ on Redis: jobs added by a `Queue`, handled by a `Worker` in each of `consumers` processes (bullmq-consumer.ts). */
export async function openBullMqQueue(redisUrl: string, name: string, consumers: number, concurrency: number): Promise<QueueUnderTest> {
  const connection = { url: redisUrl };
  const queue = new Queue(name, { connection });
  await queue.waitUntilReady();
  const processes = await Promise.all(
    Array.from({ length: consumers }, () =>
      ConsumerProcess.start(path.join(__dirname, 'bullmq-consumer.ts'), { redisUrl, name, concurrency }),
    ),
  );
  return {
    consumers: processes,
    async sendBatch(messages: readonly PingData[]) {
      await queue.addBulk(messages.map((message) => ({ name: Ping.type, data: Ping.schema.parse(message), opts: jobOptions })));
    },
    async send(message: PingData) {
      await queue.add(Ping.type, Ping.schema.parse(message), jobOptions);
    },
    async close() {
      await Promise.all(processes.map((process) => process.stop()));
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}
