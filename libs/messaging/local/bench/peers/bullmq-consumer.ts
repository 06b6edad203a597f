/** One BullMQ consumer process: a `Worker` that validates each job's payload with the command's zod schema. */
import { Worker } from 'bullmq';
import { consumerOptions, Ping, serveConsumer } from '@stitch/bench-testing';

const { redisUrl, name, concurrency } = consumerOptions<{ redisUrl: string; name: string; concurrency: number }>();

void serveConsumer(async (tally) => {
  const worker = new Worker(
    name,
    async (job) => {
      const ping = Ping.schema.parse(job.data);
      tally.handled(ping.sentAt);
    },
    { connection: { url: redisUrl }, concurrency },
  );
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
  };
});
