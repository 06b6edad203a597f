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
  | { readonly kind: 'handled'; readonly ids: readonly string[] }
  /** The answer to `report`, once no delivery is in hand: every message this process completed has been reported. */
  | { readonly kind: 'reported' };

const [file = '', queue = '', lockMs = '1000'] = process.argv.slice(2);

function report(message: ChildReport): void {
  process.send?.(message);
}

/** Handled ids are reported in batches; one IPC message per id would be the bottleneck of the test. */
let handled: string[] = [];
function reportHandled(): void {
  if (handled.length === 0) return;
  report({ kind: 'handled', ids: handled });
  handled = [];
}
const flush = setInterval(reportHandled, 20);

/** Deliveries in the handler, and `report` requests waiting for there to be none (a held `test.Hang.v1` never lets go). */
let inHand = 0;
let reportsAsked = 0;
function answerReports(): void {
  if (inHand > 0 || reportsAsked === 0) return;
  reportHandled();
  for (; reportsAsked > 0; reportsAsked--) report({ kind: 'reported' });
}

async function handle(delivery: Delivery): Promise<void> {
  const { messageId, type } = delivery.message;
  if (type === 'test.Hang.v1') {
    report({ kind: 'handling', id: messageId, attempt: delivery.attempt });
    if (delivery.attempt === 1) return new Promise<void>(() => undefined);
  }
  await delivery.complete();
  handled.push(messageId);
}

async function handleCounted(delivery: Delivery): Promise<void> {
  inHand += 1;
  try {
    await handle(delivery);
  } finally {
    inHand -= 1;
    answerReports();
  }
}

async function main(): Promise<void> {
  const transport = createLocalTransport({ topology, file });
  await transport.start();
  await transport.receive({ kind: 'queue', name: queue }, handleCounted, { concurrency: 16, lockMs: Number(lockMs) });
  // A test that failed half-way must not leave consumers behind: they go when the test process does.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (command) => {
    if (command === 'report') {
      reportsAsked += 1;
      answerReports();
      return;
    }
    if (command !== 'close') return;
    void transport.close().then(() => {
      clearInterval(flush);
      reportHandled();
      process.disconnect();
    });
  });
  report({ kind: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
