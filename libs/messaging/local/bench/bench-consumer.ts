/** One benchmark consumer process: the real core consumer on the embedded transport. */
import { benchCatalogue, consumeAsWorker, consumerOptions, serveConsumer } from '@stitch/bench-testing';
import { createLocalTransport } from '../src';

const { file, concurrency } = consumerOptions<{ file: string; concurrency: number }>();

void serveConsumer(async (tally) => {
  const transport = createLocalTransport({ topology: benchCatalogue.topology(), file });
  await transport.start();
  return consumeAsWorker(transport, benchCatalogue, tally, { concurrency, lockMs: 30_000 });
});
