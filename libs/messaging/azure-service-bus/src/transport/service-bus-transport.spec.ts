import { Catalogue, defineCommand } from '@stitch/messaging-catalogue';
import { z } from 'zod';
import { LOCK_DURATION_SECONDS } from '../entities';
import { createServiceBusTransport, minLockMsFor } from './service-bus-transport';

const DoWork = defineCommand({
  type: 'alpha.do-work.v1',
  name: 'DoWork',
  owner: 'alpha',
  senders: ['alpha'],
  schema: z.strictObject({ n: z.number().int() }),
});
const topology = new Catalogue({ services: ['alpha'], messages: [DoWork], maxAttempts: { default: 3 } }).topology();
const unreachable = () => {
  throw new Error('no client in a unit test');
};

describe('Service Bus transport locks', () => {
  it("accepts consumer locks down to half the entity lock: a dead consumer's message comes back no sooner than asked, nor more than twice as late", () => {
    expect(minLockMsFor(60_000)).toBe(30_000);
    expect(minLockMsFor(2_001)).toBe(1_001);
  });

  it('runs the core default MESSAGING_LOCK_MS (30 s) on the provisioned entities (60 s, valid on the emulator and a namespace)', () => {
    expect(LOCK_DURATION_SECONDS).toBe(60);
    expect(createServiceBusTransport({ topology, client: unreachable }).capabilities.minLockMs).toBe(30_000);
    expect(createServiceBusTransport({ topology, client: unreachable, lockDurationMs: 2_000 }).capabilities.minLockMs).toBe(1_000);
  });

  it('refuses a shorter lock, naming the entity lock that a consumer cannot shorten', async () => {
    const transport = createServiceBusTransport({ topology, client: unreachable });
    await expect(
      transport.receive({ kind: 'queue', name: 'alpha' }, async () => undefined, { concurrency: 1, lockMs: 10_000 }),
    ).rejects.toThrow(
      'Service Bus transport: a lock of 10000 ms is shorter than the 30000 ms it can honour: the entities lock messages for 60000 ms, which a consumer cannot shorten',
    );
  });
});
