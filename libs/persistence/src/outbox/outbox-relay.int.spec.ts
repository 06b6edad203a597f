import { PrismaPg } from '@prisma/adapter-pg';
import type { Destination, OutgoingMessage, Transport } from '@stitch/messaging-core';
import { InMemoryTransport } from '@stitch/messaging-core/testing';
import { until } from '@stitch/waiting-testing';
import { PrismaClient } from '../../test/generated/prisma/client';
import { migratedDatabase, startTestPostgres, type TestDatabase, type TestPostgres } from '../../test/support/test-postgres';
import { Database } from '../database/database';
import { DoIt, silentLogger, tinyCatalogue } from '../../test/support/tiny-catalogue';
import { OutboxDispatcher } from './outbox-dispatcher';
import { OutboxRelay } from './outbox-relay';

let server: TestPostgres;
let db: TestDatabase;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
  db = await migratedDatabase(server.url, 'relay_test');
});

beforeEach(async () => {
  await db.client.$executeRawUnsafe('TRUNCATE note, stitch_outbox, stitch_inbox');
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
});

afterAll(async () => {
  await db?.client.$disconnect();
  await server?.stop();
});

const queueA: Destination = { kind: 'queue', name: 'a' };
const message = (id: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  messageId: id,
  type: DoIt.type,
  correlationId: `flow-${id}`,
  body: JSON.stringify({ id }),
  ...extra,
});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** By default the relay's checks send any committed row (no hand-off grace), as for rows a crashed process left. */
function startRelay(
  transport: Pick<Transport, 'send'>,
  database = db.database,
  options: { batchSize?: number; handOffGraceMs?: number } = {},
): OutboxRelay {
  const relay = new OutboxRelay({ database, transport, logger: silentLogger, recheckMs: 50, handOffGraceMs: 0, ...options });
  relays.push(relay);
  relay.start();
  return relay;
}

/** Receives what reaches command queue `a` of an in-memory transport built from the tiny catalogue. */
async function queueReceiver(): Promise<{ transport: InMemoryTransport; received: string[] }> {
  const transport = new InMemoryTransport(tinyCatalogue.topology());
  const received: string[] = [];
  await transport.receive(
    { kind: 'queue', name: 'a' },
    async (delivery) => {
      received.push(delivery.message.messageId);
      await delivery.complete();
    },
    { concurrency: 1, lockMs: 1_000 },
  );
  return { transport, received };
}

describe('OutboxRelay', () => {
  it('sends a message only once its transaction has committed, then deletes its row', async () => {
    const { transport, received } = await queueReceiver();
    const relay = startRelay(transport);
    const outbox = new OutboxDispatcher(db.database, (rows) => relay.handOff(rows));

    await db.database.transaction(async () => {
      await outbox.dispatch(queueA, message('m1'));
      // Several rechecks run meanwhile; none may see the uncommitted row.
      await pause(250);
      expect(received).toEqual([]);
    });

    await until('m1 received', () => received.length === 1);
    expect(received).toEqual(['m1']);
    await until("m1's outbox row deleted", async () => (await db.client.stitchOutbox.count()) === 0);
  });

  it('sends nothing for a transaction that rolled back', async () => {
    const { transport, received } = await queueReceiver();
    const relay = startRelay(transport);
    const outbox = new OutboxDispatcher(db.database, (rows) => relay.handOff(rows));

    await expect(
      db.database.transaction(async () => {
        await outbox.dispatch(queueA, message('m2'));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await outbox.dispatch(queueA, message('m3'));

    await until('m3 received', () => received.length === 1);
    await pause(250);
    expect(received).toEqual(['m3']);
  });

  it('keeps destination, headers and notBefore, and groups each batch by destination', async () => {
    const sends: Array<{ destination: Destination; messages: readonly OutgoingMessage[] }> = [];
    const outbox = new OutboxDispatcher(db.database);
    const notBefore = Date.now() + 60_000;
    await db.database.transaction(async () => {
      await outbox.dispatch(queueA, message('q1', { headers: { 'x-deliver-at': '123' }, notBefore }));
      await outbox.dispatch({ kind: 'topic', name: 'events' }, message('t1'));
      await outbox.dispatch(queueA, message('q2'));
    });

    startRelay({ send: async (destination, messages) => void sends.push({ destination, messages }) });
    await until('the relay to send to the queue and to the topic', () => sends.length === 2);

    expect(sends).toEqual([
      { destination: queueA, messages: [message('q1', { headers: { 'x-deliver-at': '123' }, notBefore }), message('q2')] },
      { destination: { kind: 'topic', name: 'events' }, messages: [message('t1')] },
    ]);
  });

  it('hands committed rows straight to the transport, in order, while its checks leave young rows alone', async () => {
    const sends: Array<{ destination: Destination; ids: string[] }> = [];
    const transport: Pick<Transport, 'send'> = {
      send: async (destination, messages) => void sends.push({ destination, ids: messages.map((m) => m.messageId) }),
    };
    // A grace no test outlasts: whatever is sent here was handed over, not found by a check.
    const relay = startRelay(transport, db.database, { handOffGraceMs: 600_000 });
    const handedOver = new OutboxDispatcher(db.database, (rows) => relay.handOff(rows));
    const notHandedOver = new OutboxDispatcher(db.database);

    await db.database.transaction(async () => {
      for (const id of ['h1', 'h2', 'h3']) await handedOver.dispatch(queueA, message(id));
      await handedOver.dispatch({ kind: 'topic', name: 'events' }, message('h4'));
    });
    await notHandedOver.dispatch(queueA, message('left'));
    await until('the handed-over rows sent to the queue and to the topic', () => sends.length === 2);
    await relay.flush();

    expect(sends).toEqual([
      { destination: queueA, ids: ['h1', 'h2', 'h3'] },
      { destination: { kind: 'topic', name: 'events' }, ids: ['h4'] },
    ]);
    const left = await db.client.stitchOutbox.findMany({ select: { messageId: true } });
    expect(left).toEqual([{ messageId: 'left' }]);
  });

  it('deletes a row it handed over without making the connection give up waiting for the disk afterwards', async () => {
    // One connection: the query after the delete runs where the delete ran. The test server does not wait for the
    // disk at all; this connection does, as a durable server's would.
    const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 1 }) });
    try {
      await client.$executeRawUnsafe('SET synchronous_commit = on');
      const database = new Database(client);
      const sent: string[] = [];
      const relay = startRelay({ send: async (_destination, messages) => void sent.push(...messages.map((m) => m.messageId)) }, database, {
        handOffGraceMs: 600_000,
      });
      const dispatcher = new OutboxDispatcher(database, (rows) => relay.handOff(rows));
      await database.transaction(() => dispatcher.dispatch(queueA, message('handed')));
      await relay.flush();

      expect(sent).toEqual(['handed']);
      expect(await client.stitchOutbox.count()).toBe(0);
      // synchronous_commit is off for the delete's own transaction only: the handlers' commits on this connection wait.
      const [setting] = await client.$queryRawUnsafe<Array<{ synchronous_commit: string }>>('SHOW synchronous_commit');
      expect(setting?.synchronous_commit).toBe('on');
    } finally {
      await client.$disconnect();
    }
  });

  it('commits a message sent by a step that runs after the outbox was written, just before the commit', async () => {
    const sent: string[] = [];
    const relay = startRelay({ send: async (_destination, messages) => void sent.push(...messages.map((m) => m.messageId)) }, db.database, {
      handOffGraceMs: 600_000,
    });
    const outbox = new OutboxDispatcher(db.database, (rows) => relay.handOff(rows));
    await db.database.transaction(async () => {
      await outbox.dispatch(queueA, message('early'));
      db.database.beforeCommit(() => outbox.dispatch(queueA, message('late')));
    });
    await relay.flush();

    expect(sent).toEqual(['early', 'late']);
    expect(await db.client.stitchOutbox.count()).toBe(0);
  });

  it('leaves a row whose hand-off the transport refused to the checks, which send it', async () => {
    let refuse = true;
    const sent: string[] = [];
    const relay = startRelay({
      send: async (_destination, messages) => {
        if (refuse) throw new Error('broker unavailable');
        sent.push(...messages.map((m) => m.messageId));
      },
    });
    await relay.stop();
    await new OutboxDispatcher(db.database, (rows) => relay.handOff(rows)).dispatch(queueA, message('late'));
    await relay.flush();
    expect(sent).toEqual([]);
    expect(await db.client.stitchOutbox.count()).toBe(1);

    refuse = false;
    relay.start();
    await until('a check to send the refused row', () => sent.length === 1);
    expect(sent).toEqual(['late']);
    await until("the refused row's deletion", async () => (await db.client.stitchOutbox.count()) === 0);
  });

  it('keeps the rows a transport refused and sends them at a later check', async () => {
    let refuse = true;
    const sent: string[] = [];
    await new OutboxDispatcher(db.database).dispatch(queueA, message('r1'));

    startRelay({
      send: async (_destination, messages) => {
        if (refuse) throw new Error('broker unavailable');
        sent.push(...messages.map((m) => m.messageId));
      },
    });
    await pause(150);
    expect(await db.client.stitchOutbox.count()).toBe(1);

    refuse = false;
    await until('a later check to send the refused row', () => sent.length === 1);
    expect(sent).toEqual(['r1']);
  });

  it('sends each row once when two relays work on one table', async () => {
    const outbox = new OutboxDispatcher(db.database);
    const ids = Array.from({ length: 200 }, (_, i) => `two-${i}`);
    for (const id of ids) await outbox.dispatch(queueA, message(id));

    const sentBy = new Map<string, string[]>();
    const recording = (relay: string): Pick<Transport, 'send'> => ({
      send: async (_destination, messages) => {
        await pause(5);
        for (const m of messages) sentBy.set(m.messageId, [...(sentBy.get(m.messageId) ?? []), relay]);
      },
    });
    const second = await migratedDatabase(server.url, 'relay_test');
    try {
      startRelay(recording('first'), db.database, { batchSize: 10 });
      startRelay(recording('second'), second.database, { batchSize: 10 });
      await until('the two relays to empty the outbox', async () => (await db.client.stitchOutbox.count()) === 0, { timeoutMs: 20_000 });
      await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    } finally {
      await second.client.$disconnect();
    }

    expect([...sentBy.keys()].sort()).toEqual([...ids].sort());
    expect([...sentBy.values()].filter((senders) => senders.length !== 1)).toEqual([]);
    const perRelay = [...sentBy.values()].flat();
    expect(perRelay.filter((relay) => relay === 'first').length).toBeGreaterThan(0);
    expect(perRelay.filter((relay) => relay === 'second').length).toBeGreaterThan(0);
  });

  it('flushes what is committed once, after it was stopped', async () => {
    const sent: string[] = [];
    const relay = startRelay({ send: async (_destination, messages) => void sent.push(...messages.map((m) => m.messageId)) }, db.database, {
      batchSize: 2,
    });
    await relay.stop();
    const outbox = new OutboxDispatcher(db.database);
    for (const id of ['f1', 'f2', 'f3']) await outbox.dispatch(queueA, message(id));
    await pause(150);
    expect(sent).toEqual([]);

    await relay.flush();

    expect(sent).toEqual(['f1', 'f2', 'f3']);
    expect(await db.client.stitchOutbox.count()).toBe(0);
  });

  it('still hands over after it was stopped, as the last handlers at shutdown do, and flush waits for that', async () => {
    const sent: string[] = [];
    const relay = startRelay({ send: async (_destination, messages) => void sent.push(...messages.map((m) => m.messageId)) }, db.database, {
      handOffGraceMs: 600_000,
    });
    await relay.stop();
    const outbox = new OutboxDispatcher(db.database, (rows) => relay.handOff(rows));
    await db.database.transaction(async () => {
      for (const id of ['s1', 's2']) await outbox.dispatch(queueA, message(id));
    });

    await relay.flush();

    expect(sent).toEqual(['s1', 's2']);
    expect(await db.client.stitchOutbox.count()).toBe(0);
  });
});
