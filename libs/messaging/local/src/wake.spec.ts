import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WakeHub } from './wake';

describe('WakeHub', () => {
  let folder: string;
  const hubs: WakeHub[] = [];
  // Two hubs on one file stand for two processes: each watches through its own file-system events.
  const hub = () => {
    const created = new WakeHub(path.join(folder, 'bus.db'));
    hubs.push(created);
    return created;
  };

  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'stitch-wake-'));
  });

  afterEach(() => {
    for (const created of hubs.splice(0)) created.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("wakes another process's listeners of the channel written to, and not those of other channels", async () => {
    const consumer = hub();
    const woken: string[] = [];
    let sentinel!: () => void;
    const sentinelWoken = new Promise<void>((resolve) => (sentinel = resolve));
    consumer.subscribe('order-service', () => woken.push('order-service'));
    consumer.subscribe('events/email-service', () => woken.push('events/email-service'));
    consumer.subscribe('last', () => sentinel());

    const sender = hub();
    sender.notify(['payment-service', 'events/email-service']);
    // Events reach a process in the order they happened: once the last one is in, the others were handled.
    sender.notify(['last']);
    await sentinelWoken;

    expect(woken).toEqual(['events/email-service']);
  });

  it('wakes listeners in the same process at once, coalescing notifications of one turn', async () => {
    const only = hub();
    let calls = 0;
    const woken = new Promise<void>((resolve) =>
      only.subscribe('order-service', () => {
        calls += 1;
        resolve();
      }),
    );

    only.notify(['order-service']);
    only.notify(['order-service']);
    await woken;

    expect(calls).toBe(1);
  });
});
