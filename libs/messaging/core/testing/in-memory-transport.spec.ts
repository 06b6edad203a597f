import { Catalogue, defineCommand, defineEvent } from '@stitch/messaging-catalogue';
import { until } from '@stitch/waiting-testing';
import { z } from 'zod';
import { InMemoryTransport } from './in-memory-transport';
import type { Delivery, OutgoingMessage, Source } from '../src/transport';

const schema = z.object({});
const catalogue = new Catalogue({
  services: ['a', 'b', 'c'],
  messages: [
    defineCommand({ type: 'a.do.v1', name: 'Do', owner: 'a', senders: ['b'], schema }),
    defineEvent({ type: 'a.done.v1', name: 'Done', publisher: 'a', subscribers: ['b', 'c'], schema }),
    defineEvent({ type: 'a.other.v1', name: 'Other', publisher: 'a', subscribers: ['b'], schema }),
  ],
  maxAttempts: { default: 2 },
});
const message = (id: string, type: string): OutgoingMessage => ({ messageId: id, type, correlationId: id, body: '{}' });

/** Resolves once every message at the sources is settled: what a receiver has not been given by then, it never is. */
async function settled(transport: InMemoryTransport, ...sources: Source[]): Promise<void> {
  await until(
    `${sources.map((source) => `${source.kind} ${source.name}`).join(' and ')} to empty`,
    async () => (await Promise.all(sources.map((source) => transport.depth(source)))).every((depth) => depth === 0),
    { timeoutMs: 2_000 },
  );
}

describe('InMemoryTransport', () => {
  it('copies an event to each subscription whose filter matches', async () => {
    const transport = new InMemoryTransport(catalogue.topology());
    const seen: Record<string, string[]> = { b: [], c: [] };
    for (const name of ['b', 'c'] as const) {
      await transport.receive(
        { kind: 'subscription', topic: 'events', name },
        async (d) => {
          seen[name]?.push(d.message.messageId);
          await d.complete();
        },
        { concurrency: 1, lockMs: 1_000 },
      );
    }
    await transport.send({ kind: 'topic', name: 'events' }, [message('1', 'a.done.v1'), message('2', 'a.other.v1')]);
    await settled(transport, { kind: 'subscription', topic: 'events', name: 'b' }, { kind: 'subscription', topic: 'events', name: 'c' });
    expect(seen).toEqual({ b: ['1', '2'], c: ['1'] });
  });

  it('shares a queue between competing receivers: a busy one leaves the next message to the other, each message to one', async () => {
    const transport = new InMemoryTransport(catalogue.topology());
    const seen: Array<[string, string]> = [];
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    for (const replica of ['a-1', 'a-2']) {
      await transport.receive(
        { kind: 'queue', name: 'a' },
        async (d) => {
          seen.push([replica, d.message.messageId]);
          if (d.message.messageId === '1') await firstHeld;
          await d.complete();
        },
        { concurrency: 1, lockMs: 1_000 },
      );
    }
    await transport.send({ kind: 'queue', name: 'a' }, [message('1', 'a.do.v1')]);
    await until('the first message to be taken', () => seen.length === 1, { timeoutMs: 2_000 });
    await transport.send({ kind: 'queue', name: 'a' }, [message('2', 'a.do.v1')]);
    // Before the first is let go: only the other receiver can take the second.
    await until('the second message to be taken while the first is held', () => seen.length === 2, { timeoutMs: 2_000 });
    releaseFirst();
    await settled(transport, { kind: 'queue', name: 'a' });
    expect(seen).toEqual([
      ['a-1', '1'],
      ['a-2', '2'],
    ]);
    await transport.close();
  });

  it('counts attempts across releases and dead-letters past the broker limit', async () => {
    const transport = new InMemoryTransport(catalogue.topology());
    const attempts: number[] = [];
    await transport.receive(
      { kind: 'queue', name: 'a' },
      async (d: Delivery) => {
        attempts.push(d.attempt);
        await d.retryLater(0);
      },
      { concurrency: 1, lockMs: 1_000 },
    );
    await transport.send({ kind: 'queue', name: 'a' }, [message('x', 'a.do.v1')]);
    await settled(transport, { kind: 'queue', name: 'a' });
    expect(attempts).toEqual([1, 2, 3]);
    const [dead] = await transport.deadLetters.list({ kind: 'queue', name: 'a' });
    expect(dead).toMatchObject({ reason: 'MaxDeliveryCountExceeded', attempts: 3 });
  });

  it('redelivers a retried message even when its timer fires before the clock reaches the retry time', async () => {
    const transport = new InMemoryTransport(catalogue.topology());
    // Node's timers and Date.now() are different clocks: a timer may fire while Date.now() still reads a little
    // earlier than the time it was set for. From the retry on, Date.now() reads 5 ms behind.
    let lagMs = 0;
    const realNow = Date.now.bind(Date);
    const lagging = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - lagMs);
    const attempts: number[] = [];
    await transport.receive(
      { kind: 'queue', name: 'a' },
      async (d: Delivery) => {
        attempts.push(d.attempt);
        if (d.attempt > 1) return d.complete();
        await d.retryLater(20);
        lagMs = 5;
      },
      { concurrency: 1, lockMs: 1_000 },
    );
    try {
      await transport.send({ kind: 'queue', name: 'a' }, [message('x', 'a.do.v1')]);
      // Completed on the second attempt: only a redelivery empties the queue.
      await settled(transport, { kind: 'queue', name: 'a' });
    } finally {
      lagging.mockRestore();
      await transport.close();
    }
    expect(attempts).toEqual([1, 2]);
  });

  it('counts the messages at a source until they are settled, those in hand and those delayed included', async () => {
    const transport = new InMemoryTransport(catalogue.topology());
    const queue = { kind: 'queue', name: 'a' } as const;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let completed: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (completed = resolve));
    await transport.send(queue, [message('1', 'a.do.v1'), { ...message('2', 'a.do.v1'), notBefore: Date.now() + 60_000 }]);
    await transport.send({ kind: 'topic', name: 'events' }, [message('3', 'a.other.v1')]);
    await transport.receive(
      queue,
      async (d) => {
        await held;
        await d.complete();
        completed();
      },
      { concurrency: 1, lockMs: 1_000 },
    );

    expect(await transport.depth(queue)).toBe(2);
    expect(await transport.depth({ kind: 'subscription', topic: 'events', name: 'b' })).toBe(1);
    expect(await transport.depth({ kind: 'subscription', topic: 'events', name: 'c' })).toBe(0);
    release();
    await done;
    expect(await transport.depth(queue)).toBe(1);
    await transport.close();
  });

  it('replays a dead letter to its own source and purges the rest', async () => {
    const transport = new InMemoryTransport(catalogue.topology());
    const queue = { kind: 'queue', name: 'a' } as const;
    let fail = true;
    const handled: string[] = [];
    await transport.receive(
      queue,
      async (d) => {
        if (fail) return d.deadLetter('Broken', 'on purpose');
        handled.push(d.message.messageId);
        return d.complete();
      },
      { concurrency: 4, lockMs: 1_000 },
    );
    await transport.send(queue, [message('1', 'a.do.v1'), message('2', 'a.do.v1')]);
    await settled(transport, queue);
    const dead = await transport.deadLetters.list(queue);
    expect(dead.map((d) => [d.message.messageId, d.reason])).toEqual([
      ['1', 'Broken'],
      ['2', 'Broken'],
    ]);
    fail = false;
    expect(await transport.deadLetters.replay(queue, [dead[0]?.id ?? ''])).toBe(1);
    await settled(transport, queue);
    expect(handled).toEqual(['1']);
    expect(await transport.deadLetters.purge(queue)).toBe(1);
    expect(await transport.deadLetters.list(queue)).toEqual([]);
  });
});
