/**
 * A consumer process for the multi-process test: consumes one queue from the shared file and reports over IPC.
 * argv: <file> <queue> <lockMs>. A message of type `test.Hang.v1` is held forever on its first attempt, so the test
 * can kill this process while it holds the lock.
 */
import type { Delivery } from '@stitch/messaging-core';
import { createLocalTransport } from '../src';
import { topology } from './topology';

export type ChildReport =
  | { readonly kind: 'ready' }
  | { readonly kind: 'handling'; readonly id: string; readonly attempt: number }
  | { readonly kind: 'handled'; readonly ids: readonly string[] };

const [file = '', queue = '', lockMs = '1000'] = process.argv.slice(2);

function report(message: ChildReport): void {
  process.send?.(message);
}

/** Handled ids are reported in batches; one IPC message per id would be the bottleneck of the test. */
let handled: string[] = [];
const flush = setInterval(() => {
  if (handled.length === 0) return;
  report({ kind: 'handled', ids: handled });
  handled = [];
}, 20);

async function handle(delivery: Delivery): Promise<void> {
  const { messageId, type } = delivery.message;
  if (type === 'test.Hang.v1') {
    report({ kind: 'handling', id: messageId, attempt: delivery.attempt });
    if (delivery.attempt === 1) return new Promise<void>(() => undefined);
  }
  await delivery.complete();
  handled.push(messageId);
}

async function main(): Promise<void> {
  const transport = createLocalTransport({ topology, file });
  await transport.start();
  await transport.receive({ kind: 'queue', name: queue }, handle, { concurrency: 16, lockMs: Number(lockMs) });
  // A test that failed half-way must not leave consumers behind: they go when the test process does.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (command) => {
    if (command !== 'close') return;
    void transport.close().then(() => {
      clearInterval(flush);
      if (handled.length > 0) report({ kind: 'handled', ids: handled });
      process.disconnect();
    });
  });
  report({ kind: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
