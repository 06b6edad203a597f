import {
  contextForEnvelope,
  createEnvelope,
  MessageBus,
  PermanentError,
  runInMessageContext,
  type Envelope,
  type WrappedOutcome,
} from '@stitch/messaging-core';
import { readStructuredCloudEvent } from '@stitch/messaging-core/testing';
import { until } from '@stitch/waiting-testing';
import pg from 'pg';
import { migratedDatabase, startTestPostgres, type TestDatabase, type TestPostgres } from '../../test/support/test-postgres';
import { DoIt, Done, silentLogger, tinyCatalogue } from '../../test/support/tiny-catalogue';
import { OutboxDispatcher } from '../outbox/outbox-dispatcher';
import { Inbox } from './inbox';

let server: TestPostgres;
let db: TestDatabase;
let committed: number;
let bus: MessageBus;
let inbox: Inbox;

beforeAll(async () => {
  server = await startTestPostgres();
  db = await migratedDatabase(server.url, 'inbox_test');
  const outbox = new OutboxDispatcher(db.database, () => (committed += 1));
  bus = new MessageBus({ catalogue: tinyCatalogue, service: 'a', dispatcher: outbox, maxDelayMs: 60_000 });
  inbox = new Inbox(db.database, silentLogger);
});

beforeEach(async () => {
  committed = 0;
  await db.client.$executeRawUnsafe('TRUNCATE note, stitch_outbox, stitch_inbox');
});

afterAll(async () => {
  await db?.client.$disconnect();
  await server?.stop();
});

const incoming = (n: number) => createEnvelope({ type: 'a.do-it.v1', kind: 'command', source: 'b', data: { n } });

/** As the consumer calls its handler wrapper: inside the message's context. */
const deliver = (envelope: Envelope, work: () => Promise<void>) =>
  runInMessageContext(contextForEnvelope(envelope), () => inbox.wrap(envelope, work));

/** A handler that changes state and publishes an event, through db.client and the bus only. */
async function handle(n: number): Promise<void> {
  await db.database.client.note.create({ data: { id: `note-${n}`, text: `handled ${n}` } });
  await bus.publish(Done, { n });
}

/** Sessions waiting on a lock in the inbox's insert: a delivery blocked on another's uncommitted record of its id. */
async function blockedInboxInserts(observer: pg.Client): Promise<number> {
  const { rows } = await observer.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO stitch_inbox%'`,
  );
  return rows[0]?.n ?? 0;
}

async function counts() {
  return { notes: await db.client.note.count(), outbox: await db.client.stitchOutbox.count(), inbox: await db.client.stitchInbox.count() };
}

describe('Inbox', () => {
  it('turns data PostgreSQL will never take into a permanent error, and leaves a unique violation to the handler', async () => {
    const nul = deliver(incoming(7), () =>
      db.database.client.note.create({ data: { id: 'note-7', text: 'a\u0000b' } }).then(() => undefined),
    );
    await expect(nul).rejects.toBeInstanceOf(PermanentError);
    await expect(nul).rejects.toMatchObject({
      sqlState: '22021',
      message: expect.stringMatching(/^PostgreSQL refused the data \(22021\): invalid byte sequence/),
    });

    await deliver(incoming(8), () => handle(8));
    const duplicate = deliver(incoming(9), () =>
      db.database.client.note.create({ data: { id: 'note-8', text: 'again' } }).then(() => undefined),
    );
    await expect(duplicate).rejects.not.toBeInstanceOf(PermanentError);
    expect(await counts()).toEqual({ notes: 1, outbox: 1, inbox: 1 });
  });

  it('commits the state change, the outgoing message and the inbox record together', async () => {
    const envelope = incoming(1);
    await deliver(envelope, () => handle(1));

    expect(await counts()).toEqual({ notes: 1, outbox: 1, inbox: 1 });
    const [row] = await db.client.stitchOutbox.findMany();
    expect(row).toMatchObject({
      destinationKind: 'topic',
      destinationName: 'events',
      type: Done.type,
      correlationId: envelope.correlationId,
    });
    // The row holds the message as it goes on the wire: a structured-mode CloudEvent.
    expect(readStructuredCloudEvent(row!.body)).toMatchObject({
      type: Done.type,
      source: '/stitch/a',
      correlationid: envelope.correlationId,
      causationid: envelope.id,
      data: { n: 1 },
    });
    expect(await db.client.stitchInbox.findUnique({ where: { messageId: envelope.id } })).toMatchObject({ type: envelope.type });
    expect(committed).toBe(1);
  });

  it('leaves no state, no outbox row and no inbox record when the handler throws after writing', async () => {
    const failing = async () => {
      await handle(2);
      throw new Error('the handler failed after writing');
    };

    await expect(deliver(incoming(2), failing)).rejects.toThrow('the handler failed after writing');

    expect(await counts()).toEqual({ notes: 0, outbox: 0, inbox: 0 });
    expect(committed).toBe(0);
  });

  it('refuses, at the call, a command the service is not a sender of: no outbox row for the relay to fail on', async () => {
    const sendingWhatItMayNot = async () => {
      await db.database.client.note.create({ data: { id: 'note-6', text: 'handled 6' } });
      await bus.send(DoIt, { n: 6 });
    };

    await expect(deliver(incoming(6), sendingWhatItMayNot)).rejects.toThrow(
      "a may not send a.do-it.v1: its senders are b; add it to the command's senders in the catalogue",
    );
    expect(await counts()).toEqual({ notes: 0, outbox: 0, inbox: 0 });
    expect(committed).toBe(0);
  });

  it('handles a message again after a failed attempt', async () => {
    const envelope = incoming(3);
    await expect(deliver(envelope, () => Promise.reject(new Error('first attempt fails')))).rejects.toThrow();
    await deliver(envelope, () => handle(3));
    expect(await counts()).toEqual({ notes: 1, outbox: 1, inbox: 1 });
  });

  it('gives a redelivered message id no second effect, and says it was a duplicate', async () => {
    const envelope = incoming(4);
    const work = jest.fn(() => handle(4));

    await expect(deliver(envelope, work)).resolves.toBeUndefined();
    await expect(deliver(envelope, work)).resolves.toBe('duplicate');

    expect(work).toHaveBeenCalledTimes(1);
    expect(await counts()).toEqual({ notes: 1, outbox: 1, inbox: 1 });
  });

  it('runs the handler once when two deliveries of one id overlap', async () => {
    const envelope = incoming(5);
    // A session of its own: the deliveries' connections are busy in their transactions.
    const observer = new pg.Client({ connectionString: db.url });
    await observer.connect();
    const work = jest.fn(async () => {
      await handle(5);
      // The first delivery commits only once the other waits on its uncommitted inbox record: they overlap for certain.
      await until("the second delivery to block on the first one's inbox record", async () => (await blockedInboxInserts(observer)) === 1);
    });

    let outcomes: Array<WrappedOutcome | void>;
    try {
      outcomes = await Promise.all([deliver(envelope, work), deliver(envelope, work)]);
    } finally {
      await observer.end();
    }

    expect(work).toHaveBeenCalledTimes(1);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(1);
    expect(await counts()).toEqual({ notes: 1, outbox: 1, inbox: 1 });
  });
});
