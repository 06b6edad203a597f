import { setTimeout as sleep } from 'node:timers/promises';
import {
  createEnvelope,
  MessageBus,
  serializeEnvelope,
  type Envelope,
  type OutgoingDispatcher,
  type Destination,
  type OutgoingMessage,
  type Source,
  type Transport,
} from '@stitch/messaging-core';
import { earlierEnvelopeBody } from '@stitch/messaging-core/testing';
import { until } from '@stitch/waiting-testing';
import { conformanceCatalogue, DoWork, NobodyListened, OtherHappened, ThingHappened } from './conformance-catalogue';
import { ConsumerGroup } from './consumer-processes';
import type { ConformanceFixture, TransportModuleFactory } from './fixture';

const alphaQueue: Source = { kind: 'queue', name: 'alpha' };
const subscriptionOf = (name: string): Source => ({ kind: 'subscription', topic: 'events', name });

/** Builds envelopes through the real bus but hands them over in batches, as a burst from an outbox would. */
class CollectingDispatcher implements OutgoingDispatcher {
  readonly collected: { destination: Destination; message: OutgoingMessage }[] = [];
  async dispatch(destination: Destination, message: OutgoingMessage): Promise<void> {
    this.collected.push({ destination, message });
  }
}

function line(text: string): void {
  process.stdout.write(`${text}\n`);
}

function tally(reports: readonly { messageId: string }[]): { distinct: Set<string>; duplicates: number } {
  const distinct = new Set(reports.map((r) => r.messageId));
  return { distinct, duplicates: reports.length - distinct.size };
}

/**
 * The one conformance suite every transport runs unchanged. It reads the transport's capabilities instead of
 * assuming them, and its consumers are separate OS processes, killed with SIGKILL where a test says so.
 */
export function describeTransportConformance(fixture: ConformanceFixture): void {
  const title = `${fixture.name} transport conformance`;
  if (fixture.skipReason) {
    line(`SKIPPED ${title}: ${fixture.skipReason}`);
    describe.skip(title, () => it('needs a reachable broker', () => undefined));
    return;
  }

  describe(title, () => {
    let transport: Transport;
    let group: ConsumerGroup;
    let lockMs: number;

    async function setup(testName: string): Promise<void> {
      const params = await fixture.isolate(testName);
      const { createTransport } = (await import(fixture.transportModule)) as { createTransport: TransportModuleFactory };
      transport = createTransport(conformanceCatalogue.topology(), params);
      await transport.start();
      lockMs = Math.max(transport.capabilities.minLockMs, 1_000);
      group = new ConsumerGroup({ transportModule: fixture.transportModule, params, lockMs });
    }

    /** Sends through the real bus (validation, envelope, routing) in batches of 100. */
    async function emit(build: (bus: MessageBus) => Promise<unknown>[]): Promise<string[]> {
      const dispatcher = new CollectingDispatcher();
      const bus = new MessageBus({
        catalogue: conformanceCatalogue,
        service: 'alpha',
        dispatcher,
        maxDelayMs: transport.capabilities.maxDelayMs,
      });
      await Promise.all(build(bus));
      for (let i = 0; i < dispatcher.collected.length; i += 100) {
        const chunk = dispatcher.collected.slice(i, i + 100);
        const byDestination = new Map<string, { destination: Destination; messages: OutgoingMessage[] }>();
        for (const { destination, message } of chunk) {
          const key = `${destination.kind}:${destination.name}`;
          const entry = byDestination.get(key) ?? { destination, messages: [] };
          entry.messages.push(message);
          byDestination.set(key, entry);
        }
        for (const { destination, messages } of byDestination.values()) await transport.send(destination, messages);
      }
      return dispatcher.collected.map(({ message }) => message.messageId);
    }

    afterEach(async () => {
      await group?.stopAll();
      await transport?.close();
    });

    afterAll(async () => {
      await fixture.cleanup?.();
    });

    it('shares a queue among competing consumer processes: none lost, each handled once, spread over them', async () => {
      await setup('competing');
      const consumers = await Promise.all([0, 1, 2].map(() => group.start('alpha', { mode: 'ok', workMs: 2 }, 4)));
      const sent = await emit((bus) => Array.from({ length: 300 }, (_, n) => bus.send(DoWork, { n })));
      await until('all 300 commands handled', () => tally(group.handled()).distinct.size >= 300, {
        timeoutMs: 60_000,
        state: () => `${tally(group.handled()).distinct.size} handled`,
      });
      await sleep(500);
      const { distinct, duplicates } = tally(group.handled());
      const spread = consumers.map((c) => `${c.instance}:${c.handled.length}`).join(' ');
      line(
        `[${fixture.name}] competing consumers: sent ${sent.length}, handled ${distinct.size} (${spread}), duplicates ${duplicates}, lost ${sent.length - distinct.size}`,
      );
      expect([...distinct].sort()).toEqual([...sent].sort());
      if (transport.capabilities.deliversOnceWithoutFailures) expect(duplicates).toBe(0);
      for (const consumer of consumers) expect(consumer.handled.length).toBeGreaterThan(0);
    });

    it('fans an event out to every subscribing service once, and to no other', async () => {
      await setup('fan-out');
      await Promise.all([
        group.start('beta', { mode: 'ok', workMs: 0 }),
        group.start('beta', { mode: 'ok', workMs: 0 }),
        group.start('gamma', { mode: 'ok', workMs: 0 }),
      ]);
      const things = await emit((bus) => Array.from({ length: 20 }, (_, n) => bus.publish(ThingHappened, { n })));
      const others = await emit((bus) => Array.from({ length: 10 }, (_, n) => bus.publish(OtherHappened, { n })));
      const unheard = await emit((bus) => Array.from({ length: 5 }, (_, n) => bus.publish(NobodyListened, { n })));
      await until(
        'beta to handle its 30 events and gamma its 20',
        () => tally(group.handled('beta')).distinct.size >= 30 && tally(group.handled('gamma')).distinct.size >= 20,
        {
          timeoutMs: 30_000,
          state: () => `beta handled ${tally(group.handled('beta')).distinct.size}, gamma ${tally(group.handled('gamma')).distinct.size}`,
        },
      );
      await sleep(500);
      const beta = tally(group.handled('beta'));
      const gamma = tally(group.handled('gamma'));
      line(
        `[${fixture.name}] fan-out: beta ${beta.distinct.size} (duplicates ${beta.duplicates}), gamma ${gamma.distinct.size} (duplicates ${gamma.duplicates}), unsubscribed delivered ${unheard.filter((id) => beta.distinct.has(id) || gamma.distinct.has(id)).length}`,
      );
      expect([...beta.distinct].sort()).toEqual([...things, ...others].sort());
      expect([...gamma.distinct].sort()).toEqual([...things].sort());
      if (transport.capabilities.deliversOnceWithoutFailures) {
        expect(beta.duplicates).toBe(0);
        expect(gamma.duplicates).toBe(0);
      }
    });

    it('redelivers to another consumer, after the lock, a message whose consumer was killed mid-handling', async () => {
      await setup('killed');
      const doomed = await group.start('alpha', { mode: 'hang' });
      const [id] = await emit((bus) => [bus.send(DoWork, { n: 1 })]);
      await until('the doomed consumer to start the command', () => doomed.started.length === 1, { timeoutMs: 10_000 });
      const lockedAt = doomed.started[0]?.at ?? 0;
      await doomed.kill();
      const survivor = await group.start('alpha', { mode: 'ok', workMs: 0 });
      await until('the survivor to handle the redelivered command', () => survivor.handled.length === 1, {
        timeoutMs: lockMs * 3 + 10_000,
      });
      const redelivery = survivor.handled[0];
      line(
        `[${fixture.name}] killed mid-message: redelivered after ${(redelivery?.at ?? 0) - lockedAt} ms (lock ${lockMs} ms), attempt ${redelivery?.attempt}`,
      );
      expect(redelivery?.messageId).toBe(id);
      expect(redelivery?.attempt).toBe(2);
      // Measured from when the handler started, a little after the lock was taken: allow that much slack, no more.
      expect((redelivery?.at ?? 0) - lockedAt).toBeGreaterThanOrEqual(lockMs * 0.9 - transport.capabilities.timeGranularityMs);
    });

    it('dead-letters at the maximum with the reason, and invalid messages at once without a handler', async () => {
      await setup('dead-letter');
      const consumer = await group.start('alpha', { mode: 'fail' });
      const [failing] = await emit((bus) => [bus.send(DoWork, { n: 1 })]);
      await transport.send({ kind: 'queue', name: 'alpha' }, [
        { messageId: 'not-json', type: DoWork.type, correlationId: 'c', body: '{not json' },
        {
          messageId: 'unknown-type',
          type: 'alpha.made-up.v1',
          correlationId: 'c',
          body: serializeEnvelope({
            ...createEnvelope({ type: 'alpha.made-up.v1', kind: 'command', source: 'test', data: {} }, { correlationId: 'c' }),
            id: 'unknown-type',
          }),
        },
      ]);
      await until('three dead letters on alpha', async () => (await transport.deadLetters.list(alphaQueue)).length === 3, {
        timeoutMs: 30_000,
      });
      const dead = await transport.deadLetters.list(alphaQueue);
      const byId = new Map(dead.map((d) => [d.message.messageId, d]));
      const maxAttempts = conformanceCatalogue.queueMaxAttempts('alpha');
      // The consumer's IPC reports can trail the dead letter it wrote.
      await until('the consumer reports for every attempt', () => consumer.started.length >= maxAttempts, { timeoutMs: 5_000 });
      line(
        `[${fixture.name}] dead-lettering: ${dead.map((d) => `${d.message.messageId.slice(0, 12)} after ${d.attempts} → ${d.reason}`).join('; ')}`,
      );
      expect(byId.get(failing ?? '')).toMatchObject({ reason: 'Error: conformance: refused', attempts: maxAttempts });
      expect(consumer.started.map((s) => s.attempt)).toEqual(Array.from({ length: maxAttempts }, (_, i) => i + 1));
      expect(byId.get('not-json')?.reason).toBe('InvalidMessage');
      expect(byId.get('unknown-type')?.reason).toBe('UnknownMessageType');
      expect(consumer.started.every((s) => s.messageId === failing)).toBe(true);
    });

    it('replays a dead-lettered event to the subscriber that failed it only, and purges', async () => {
      await setup('replay');
      const failingBeta = await group.start('beta', { mode: 'fail' });
      await group.start('gamma', { mode: 'ok', workMs: 0 });
      const [first, second] = await emit((bus) => [bus.publish(ThingHappened, { n: 1 }), bus.publish(ThingHappened, { n: 2 })]);
      const betaSub = subscriptionOf('beta');
      await until('beta to dead-letter both', async () => (await transport.deadLetters.list(betaSub)).length === 2, { timeoutMs: 30_000 });
      await until('gamma to handle both', () => tally(group.handled('gamma')).distinct.size === 2, { timeoutMs: 10_000 });
      await failingBeta.stop();

      const dead = await transport.deadLetters.list(betaSub);
      const firstDead = dead.find((d) => d.message.messageId === first);
      const secondDead = dead.find((d) => d.message.messageId === second);
      expect(await transport.deadLetters.peek(betaSub, firstDead?.id ?? '')).toMatchObject({ reason: 'Error: conformance: refused' });
      expect(await transport.deadLetters.list(subscriptionOf('gamma'))).toEqual([]);

      const healedBeta = await group.start('beta', { mode: 'ok', workMs: 0 });
      expect(await transport.deadLetters.replay(betaSub, [firstDead?.id ?? ''])).toBe(1);
      await until('beta to handle the replayed event', () => healedBeta.handled.length === 1, { timeoutMs: 10_000 + lockMs });
      expect(await transport.deadLetters.purge(betaSub, [secondDead?.id ?? ''])).toBe(1);
      await sleep(500);
      line(
        `[${fixture.name}] replay: beta handled ${healedBeta.handled.length} replayed, gamma handled ${group.handled('gamma').length} in all`,
      );
      expect(healedBeta.handled[0]?.messageId).toBe(first);
      expect(group.handled('gamma')).toHaveLength(2);
      expect(await transport.deadLetters.list(betaSub)).toEqual([]);
    });

    it('reads messages of the earlier envelope shape: handled as they come, and replayed from a dead-letter queue', async () => {
      await setup('earlier-shape');
      const alpha = await group.start('alpha', { mode: 'ok', workMs: 0 });
      const failingBeta = await group.start('beta', { mode: 'fail' });
      // Written before the envelope became a CloudEvent, and still waiting when the new version starts.
      const earlier = (envelope: Envelope) => ({
        messageId: envelope.id,
        type: envelope.type,
        correlationId: envelope.correlationId,
        body: earlierEnvelopeBody(envelope),
      });
      const command = createEnvelope({ type: DoWork.type, kind: 'command', source: 'alpha', data: { n: 1 } }, { correlationId: 'old-1' });
      const event = createEnvelope(
        { type: OtherHappened.type, kind: 'event', source: 'alpha', data: { n: 2 } },
        { correlationId: 'old-2' },
      );
      await transport.send({ kind: 'queue', name: 'alpha' }, [earlier(command)]);
      await transport.send({ kind: 'topic', name: 'events' }, [earlier(event)]);
      const betaSub = subscriptionOf('beta');
      await until('alpha to handle the command', () => alpha.handled.length === 1, { timeoutMs: 10_000 + lockMs });
      await until('beta to dead-letter the event', async () => (await transport.deadLetters.list(betaSub)).length === 1, {
        timeoutMs: 30_000,
      });
      await failingBeta.stop();

      const [dead] = await transport.deadLetters.list(betaSub);
      expect(dead?.message).toMatchObject({ messageId: event.id, correlationId: 'old-2' });
      expect(JSON.parse(dead?.message.body ?? '')).toEqual(JSON.parse(earlierEnvelopeBody(event)));
      const healedBeta = await group.start('beta', { mode: 'ok', workMs: 0 });
      expect(await transport.deadLetters.replay(betaSub, [dead?.id ?? ''])).toBe(1);
      await until('beta to handle the replayed event', () => healedBeta.handled.length === 1, { timeoutMs: 10_000 + lockMs });
      line(
        `[${fixture.name}] earlier envelope shape: command handled ${alpha.handled.length}, event dead-lettered after ${dead?.attempts} attempts, replayed and handled ${healedBeta.handled.length}`,
      );
      expect(alpha.handled.map((handled) => handled.messageId)).toEqual([command.id]);
      expect(healedBeta.handled.map((handled) => handled.messageId)).toEqual([event.id]);
      expect(await transport.deadLetters.list(betaSub)).toEqual([]);
    });

    it('does not deliver a delayed message before its time', async () => {
      await setup('delayed');
      const consumer = await group.start('alpha', { mode: 'ok', workMs: 0 });
      const delayMs = 1_500;
      const sentAt = Date.now();
      const [delayed] = await emit((bus) => [bus.send(DoWork, { n: 1 }, { delayMs })]);
      const [immediate] = await emit((bus) => [bus.send(DoWork, { n: 2 })]);
      await until('the delayed and the immediate command handled', () => consumer.handled.length === 2, { timeoutMs: 20_000 });
      const at = new Map(consumer.handled.map((h) => [h.messageId, h.at]));
      line(`[${fixture.name}] delayed delivery: asked ${delayMs} ms, arrived after ${(at.get(delayed ?? '') ?? 0) - sentAt} ms`);
      expect((at.get(delayed ?? '') ?? 0) - sentAt).toBeGreaterThanOrEqual(delayMs - transport.capabilities.timeGranularityMs);
      expect(at.get(immediate ?? '') ?? Infinity).toBeLessThan(at.get(delayed ?? '') ?? 0);
    });

    it('loses nothing in a burst of 10,000 messages', async () => {
      await setup('burst');
      await Promise.all([group.start('alpha', { mode: 'ok', workMs: 0 }, 32), group.start('alpha', { mode: 'ok', workMs: 0 }, 32)]);
      const started = Date.now();
      const sent = await emit((bus) => Array.from({ length: 10_000 }, (_, n) => bus.send(DoWork, { n })));
      await until('all 10,000 commands handled', () => tally(group.handled()).distinct.size >= 10_000, {
        timeoutMs: 180_000,
        state: () => `${tally(group.handled()).distinct.size} handled`,
      });
      const seconds = (Date.now() - started) / 1_000;
      await sleep(500);
      const { distinct, duplicates } = tally(group.handled());
      line(
        `[${fixture.name}] burst: sent ${sent.length}, handled ${distinct.size} in ${seconds.toFixed(1)} s, duplicates ${duplicates}, lost ${sent.length - distinct.size}`,
      );
      expect(distinct.size).toBe(10_000);
      expect(sent.every((id) => distinct.has(id))).toBe(true);
      if (transport.capabilities.deliversOnceWithoutFailures) expect(duplicates).toBe(0);
    });
  });
}
