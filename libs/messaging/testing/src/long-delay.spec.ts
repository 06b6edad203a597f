import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { MessageBus, MessageConsumer, TransportDispatcher } from '@stitch/messaging-core';
import { createLocalTransport } from '@stitch/messaging-local';
import { conformanceCatalogue, DoWork } from './conformance-catalogue';

describe('a delay longer than the transport schedules', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'stitch-long-delay-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('is re-deferred on arrival until due, then handled once', async () => {
    const transport = createLocalTransport({
      topology: conformanceCatalogue.topology(),
      file: path.join(folder, 'bus.db'),
      maxDelayMs: 300,
    });
    await transport.start();
    const sends = jest.spyOn(transport, 'send');
    const handledAt: number[] = [];
    const consumer = new MessageConsumer({
      transport,
      catalogue: conformanceCatalogue,
      service: 'alpha',
      instance: 'alpha-1',
      handlers: new Map([[DoWork.type, async () => void handledAt.push(Date.now())]]),
      logger: pino({ level: 'silent' }),
      lockMs: 5_000,
    });
    await consumer.start();
    const bus = new MessageBus({
      catalogue: conformanceCatalogue,
      service: 'alpha',
      dispatcher: new TransportDispatcher(transport),
      maxDelayMs: 300,
    });

    const queue = { kind: 'queue', name: DoWork.owner } as const;
    const sentAt = Date.now();
    await bus.send(DoWork, { n: 1 }, { delayMs: 1_000 });
    // Nothing left at the queue once it was handled: that delivery was settled and no copy waits to be handled again.
    const settled = async () => handledAt.length > 0 && (await transport.depth(queue)) === 0;
    while (!(await settled()) && Date.now() - sentAt < 5_000) await new Promise((resolve) => setTimeout(resolve, 20));
    const left = await transport.depth(queue);
    await consumer.stop();
    await transport.close();

    expect(left).toBe(0);
    expect(handledAt).toHaveLength(1);
    expect((handledAt[0] ?? 0) - sentAt).toBeGreaterThanOrEqual(1_000 - transport.capabilities.timeGranularityMs);
    // The first send went 300 ms ahead; the message then came back early and was sent on at least twice more.
    expect(sends.mock.calls.length).toBeGreaterThanOrEqual(3);
  });
});
