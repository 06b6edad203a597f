import pino from 'pino';
import { SendEmail, shopCatalogue, UserSignedUp } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { until } from '@stitch/waiting-testing';
import { MessageConsumer, type MessageHandlerFn } from './consumer';
import { CircuitBreaker } from './circuit-breaker';
import { toOutgoingMessage } from './cloud-event';
import { createEnvelope } from './envelope';
import { DependencyUnavailableError } from './errors';
import { InMemoryTransport } from '../testing';

const silent = pino({ level: 'silent' });
const queue = { kind: 'queue', name: Services.email } as const;

function setup(options: { concurrency: number }) {
  const transport = new InMemoryTransport(shopCatalogue.topology(), { maxDelayMs: 1_000 });
  const outage = { down: true };
  const seen = new Set<string>();
  const handled: { id: string; attempt: number }[] = [];
  const sendEmail: MessageHandlerFn = async (envelope, _definition, attempt) => {
    seen.add(envelope.id);
    if (outage.down) throw new DependencyUnavailableError('PostgreSQL', 'connect ECONNREFUSED 127.0.0.1:5432');
    handled.push({ id: envelope.id, attempt });
  };
  const breaker = new CircuitBreaker({ probeDelayMs: 10, maxProbeDelayMs: 40, logger: silent });
  const consumer = new MessageConsumer({
    transport,
    catalogue: shopCatalogue,
    service: Services.email,
    instance: 'email-service-1',
    handlers: new Map([
      [SendEmail.type, sendEmail],
      [UserSignedUp.type, async () => undefined],
    ]),
    logger: silent,
    retry: { immediate: 0, baseDelayMs: 1, maxDelayMs: 1, jitter: 0 },
    concurrency: options.concurrency,
    breaker,
  });
  const send = (count: number) =>
    transport.send(
      queue,
      Array.from({ length: count }, (_, i) => {
        const envelope = createEnvelope(
          {
            type: SendEmail.type,
            kind: 'command',
            source: Services.order,
            data: { to: `c${i}@example.com`, template: 'welcome', params: {} },
          },
          { correlationId: `c-${i}` },
        );
        return toOutgoingMessage(envelope);
      }),
    );
  return { transport, consumer, breaker, outage, seen, handled, send };
}

describe('the circuit breaker: an outage waits, it does not dead-letter', () => {
  it('holds the messages in hand without spending attempts, receives nothing new, and resumes by itself', async () => {
    const { transport, consumer, breaker, outage, seen, handled, send } = setup({ concurrency: 2 });
    await send(20);
    await consumer.start();

    await until('the circuit to open on the two messages in hand', () => breaker.state !== 'closed' && seen.size === 2, {
      timeoutMs: 10_000,
    });
    // Several probes fail while the dependency is down; the loops stay paused through all of them.
    await until('three failed probes', () => breaker.failedProbes >= 3, { timeoutMs: 10_000 });
    expect(handled).toEqual([]);
    expect(seen.size).toBe(2);
    expect(breaker.paused).toBe(true);
    expect(breaker.describe()).toMatch(/^consumption paused for \d+ s \(\d+ probes failed\): PostgreSQL unavailable: connect ECONNREFUSED/);

    outage.down = false;
    await until('every message to be handled once the dependency is back', () => handled.length === 20, { timeoutMs: 10_000 });
    expect(breaker.state).toBe('closed');
    expect(handled.every(({ attempt }) => attempt === 1)).toBe(true);
    expect(new Set(handled.map(({ id }) => id)).size).toBe(20);
    expect(await transport.deadLetters.list(queue)).toEqual([]);
    await consumer.stop();
  });

  it('gives the held messages back at shutdown, undead-lettered, for the next replica', async () => {
    const { transport, consumer, breaker, seen, send } = setup({ concurrency: 3 });
    await send(3);
    await consumer.start();
    await until('the circuit to open on the three messages in hand', () => breaker.state !== 'closed' && seen.size === 3, {
      timeoutMs: 10_000,
    });

    await consumer.stop();
    expect(await transport.deadLetters.list(queue)).toEqual([]);
    const { consumer: next, handled } = restartOn(transport);
    await next.start();
    await until('the next replica to handle the given-back messages', () => handled.length === 3, { timeoutMs: 10_000 });
    await next.stop();
  });

  it('pauses only on an unreachable dependency: any other failure closes the circuit and is retried as before', () => {
    const breaker = new CircuitBreaker({ probeDelayMs: 10, maxProbeDelayMs: 40, logger: silent });
    breaker.unavailable(new DependencyUnavailableError('PostgreSQL', 'down'));
    expect(breaker.paused).toBe(true);
    breaker.reachable();
    expect(breaker.state).toBe('closed');
    expect(breaker.paused).toBe(false);
    expect(breaker.describe()).toBeUndefined();
    breaker.stop();
  });
});

function restartOn(transport: InMemoryTransport) {
  const handled: string[] = [];
  const consumer = new MessageConsumer({
    transport,
    catalogue: shopCatalogue,
    service: Services.email,
    instance: 'email-service-2',
    handlers: new Map<string, MessageHandlerFn>([
      [SendEmail.type, async (envelope) => void handled.push(envelope.id)],
      [UserSignedUp.type, async () => undefined],
    ]),
    logger: silent,
  });
  return { consumer, handled };
}
