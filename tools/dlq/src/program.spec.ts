import { PlaceOrder, SendEmail, shopCatalogue, UserSignedUp } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { createEnvelope, type DeadLetterQueues, type Destination, type Source } from '@stitch/messaging-core';
import { InMemoryTransport } from '@stitch/messaging-core/testing';
import { DeadLetterDesk } from './desk';
import { runDlq } from './program';

const orderQueue: Source = { kind: 'queue', name: 'order-service' };
const emailEvents: Source = { kind: 'subscription', topic: 'events', name: 'email-service' };

/** A dead letter made the way a consumer makes one: delivered, failed, dead-lettered with the error. */
async function deadLetter(
  transport: InMemoryTransport,
  destination: Destination,
  source: Source,
  type: string,
  kind: 'command' | 'event',
): Promise<string> {
  const envelope = createEnvelope({ type, kind, source: Services.storefront, data: { note: 'x' } });
  await transport.send(destination, [
    { messageId: envelope.id, type, correlationId: envelope.correlationId, body: JSON.stringify(envelope) },
  ]);
  const receiver = await transport.receive(source, (delivery) => delivery.deadLetter('HandlerFailed', 'Error: boom\n    at handler'), {
    concurrency: 1,
    lockMs: 1_000,
  });
  for (let i = 0; i < 100 && !(await transport.deadLetters.list(source)).some((dead) => dead.message.messageId === envelope.id); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await receiver.close();
  return envelope.id;
}

function harness() {
  const transport = new InMemoryTransport(shopCatalogue.topology());
  const out: string[] = [];
  const err: string[] = [];
  let opened = 0;
  let closed = 0;
  const originalClose = transport.close.bind(transport);
  transport.close = async () => {
    closed++;
    await originalClose();
  };
  const run = async (...argv: string[]) => {
    out.length = 0;
    err.length = 0;
    const code = await runDlq(argv, {
      catalogue: shopCatalogue,
      open: async () => {
        opened++;
        return transport;
      },
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return { transport, run, counts: () => ({ opened, closed }) };
}

async function idOf(transport: InMemoryTransport, source: Source, messageId: string): Promise<string> {
  const found = (await transport.deadLetters.list(source)).find((dead) => dead.message.messageId === messageId);
  if (!found) throw new Error(`no dead letter for ${messageId}`);
  return found.id;
}

describe('dlq list', () => {
  it('shows every queue and subscription of the catalogue with its count, and each dead letter', async () => {
    const { transport, run, counts } = harness();
    const messageId = await deadLetter(transport, { kind: 'queue', name: 'order-service' }, orderQueue, PlaceOrder.type, 'command');
    const id = await idOf(transport, orderQueue, messageId);

    const { code, out, err } = await run('list');

    expect({ code, err }).toEqual({ code: 0, err: '' });
    for (const queue of shopCatalogue.topology().queues) expect(out).toContain(`queue ${queue.name}`);
    for (const subscription of shopCatalogue.topology().topic.subscriptions)
      expect(out).toContain(`subscription events/${subscription.name}`);
    expect(out).toMatch(/queue order-service\s+1 dead letter\n/);
    expect(out).toMatch(/queue inventory-service\s+no dead letters/);
    expect(out).toContain(`  ${id}  ${PlaceOrder.type}  attempts 1  dead-lettered 20`);
    expect(out).toContain(`message ${messageId}  correlation ${messageId}`);
    // The description's first lines, flattened: a listing stays one block per message.
    expect(out).toContain('HandlerFailed — Error: boom at handler');
    expect(out).toMatch(/1 dead letter in \d+ sources on the in-memory transport$/);
    expect(counts()).toEqual({ opened: 1, closed: 1 });
  });

  it('narrows to one queue or one subscription, and gives JSON for machines', async () => {
    const { transport, run } = harness();
    const messageId = await deadLetter(transport, { kind: 'topic', name: 'events' }, emailEvents, UserSignedUp.type, 'event');

    const { code, out } = await run('list', '--subscription', 'email-service', '--json');

    expect(code).toBe(0);
    const parsed = JSON.parse(out) as unknown[];
    expect(parsed).toEqual([
      {
        source: emailEvents,
        count: 1,
        messages: [
          {
            id: expect.any(String),
            messageId,
            type: UserSignedUp.type,
            correlationId: messageId,
            reason: 'HandlerFailed',
            description: 'Error: boom\n    at handler',
            attempts: 1,
            deadLetteredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          },
        ],
      },
    ]);
    expect(JSON.parse((await run('list', '--source', 'order-service', '--json')).out)).toEqual([
      { source: orderQueue, count: 0, messages: [] },
    ]);
  });

  it('refuses an unknown source in one line, naming those there are, without opening the transport', async () => {
    const { run, counts } = harness();
    expect(await run('list', '--source', 'shipping-service')).toEqual({
      code: 1,
      out: '',
      err: 'dlq: no queue "shipping-service" in the catalogue (queues: order-service, inventory-service, payment-service, email-service)',
    });
    const subscription = await run('list', '--subscription', 'payment-service');
    expect(subscription.code).toBe(1);
    expect(subscription.err).toMatch(/^dlq: no subscription "payment-service" in the catalogue \(subscriptions: .*email-service.*\)$/);
    expect((await run('list', '--source', 'order-service', '--subscription', 'email-service')).err).toBe(
      'dlq: give --source or --subscription, not both',
    );
    expect(counts().opened).toBe(0);
  });
});

describe('dlq show', () => {
  it('prints one dead letter with its envelope as indented JSON', async () => {
    const { transport, run } = harness();
    const messageId = await deadLetter(
      transport,
      { kind: 'queue', name: 'email-service' },
      { kind: 'queue', name: 'email-service' },
      SendEmail.type,
      'command',
    );
    const id = await idOf(transport, { kind: 'queue', name: 'email-service' }, messageId);

    const { code, out } = await run('show', id);

    expect(code).toBe(0);
    expect(out).toContain(`dead letter ${id}\n`);
    expect(out).toMatch(/source\s+queue email-service/);
    expect(out).toMatch(new RegExp(`message id\\s+${messageId}`));
    expect(out).toContain('description:\n  Error: boom\n      at handler');
    expect(out).toContain(`envelope:\n{\n  "id": "${messageId}",\n  "type": "${SendEmail.type}",`);

    const json = JSON.parse((await run('show', id, '--json')).out) as { source: Source; envelope: { id: string; data: unknown } };
    expect(json.source).toEqual({ kind: 'queue', name: 'email-service' });
    expect(json.envelope).toMatchObject({ id: messageId, data: { note: 'x' } });
  });

  it('says in one line when no dead letter has that id', async () => {
    const { run } = harness();
    expect(await run('show', '999999')).toEqual({ code: 1, out: '', err: 'dlq: no dead letter 999999 in any queue or subscription' });
    expect((await run('show', '999999', '--source', 'order-service')).err).toBe('dlq: no dead letter 999999 in queue order-service');
  });
});

describe('dlq replay and purge', () => {
  it('replays the named dead letters back to their queue, keeping the message id', async () => {
    const { transport, run } = harness();
    const messageId = await deadLetter(transport, { kind: 'queue', name: 'order-service' }, orderQueue, PlaceOrder.type, 'command');
    const id = await idOf(transport, orderQueue, messageId);

    const { code, out } = await run('replay', id);

    expect(code).toBe(0);
    expect(out).toBe('replayed 1 dead letter back to the source each failed at (queue order-service: 1)');
    expect(await transport.deadLetters.list(orderQueue)).toEqual([]);
    const redelivered: string[] = [];
    const receiver = await transport.receive(
      orderQueue,
      async (delivery) => {
        redelivered.push(delivery.message.messageId);
        await delivery.complete();
      },
      { concurrency: 1, lockMs: 1_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await receiver.close();
    expect(redelivered).toEqual([messageId]);
  });

  it('does nothing when one of the ids is unknown', async () => {
    const { transport, run } = harness();
    const messageId = await deadLetter(transport, { kind: 'queue', name: 'order-service' }, orderQueue, PlaceOrder.type, 'command');
    const id = await idOf(transport, orderQueue, messageId);
    expect(await run('replay', id, '424242')).toEqual({ code: 1, out: '', err: 'dlq: no dead letter 424242 in any queue or subscription' });
    expect(await transport.deadLetters.list(orderQueue)).toHaveLength(1);
  });

  it('wants ids or --all, not neither and not both', async () => {
    const { run, counts } = harness();
    expect((await run('replay')).err).toBe('dlq: replay: name the dead letters (ids from dlq list) or give --all');
    expect((await run('purge', '1', '--all', '--yes')).err).toBe('dlq: purge: give ids or --all, not both');
    expect(counts().opened).toBe(0);
  });

  it('replays --all of one source, as JSON', async () => {
    const { transport, run } = harness();
    await deadLetter(transport, { kind: 'topic', name: 'events' }, emailEvents, UserSignedUp.type, 'event');
    await deadLetter(transport, { kind: 'topic', name: 'events' }, emailEvents, UserSignedUp.type, 'event');
    const { code, out } = await run('replay', '--all', '--subscription', 'email-service', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ replayed: 2, sources: [{ source: emailEvents, replayed: 2 }] });
  });

  it('refuses purge --all without --yes, and purges with it', async () => {
    const { transport, run, counts } = harness();
    await deadLetter(transport, { kind: 'queue', name: 'order-service' }, orderQueue, PlaceOrder.type, 'command');

    expect(await run('purge', '--all')).toEqual({
      code: 1,
      out: '',
      err: 'dlq: purge --all deletes every dead letter of any queue or subscription for good; add --yes to do it',
    });
    expect(counts().opened).toBe(0);
    expect(await transport.deadLetters.list(orderQueue)).toHaveLength(1);

    expect(await run('purge', '--all', '--yes')).toEqual({ code: 0, out: 'purged 1 dead letter (queue order-service: 1)', err: '' });
    expect(await transport.deadLetters.list(orderQueue)).toEqual([]);
  });

  it('purges one by id without asking', async () => {
    const { transport, run } = harness();
    const messageId = await deadLetter(transport, { kind: 'queue', name: 'order-service' }, orderQueue, PlaceOrder.type, 'command');
    const id = await idOf(transport, orderQueue, messageId);
    expect((await run('purge', id)).out).toBe('purged 1 dead letter (queue order-service: 1)');
  });
});

describe('dlq arguments', () => {
  it('leaves unknown options and commands to commander: one error line, exit code 1', async () => {
    const { run } = harness();
    const unknownOption = await run('list', '--queue', 'order-service');
    expect(unknownOption).toMatchObject({ code: 1, out: '' });
    expect(unknownOption.err).toMatch(/^error: unknown option '--queue'/);
    expect((await run('show')).err).toMatch(/^error: missing required argument 'id'/);
    expect((await run('help')).code).toBe(0);
  });
});

describe('DeadLetterDesk', () => {
  it('asks for a source when two sources hold the same id (Service Bus numbers each entity apart)', async () => {
    const dead = (id: string) => ({
      id,
      message: { messageId: id, type: 't', correlationId: id, body: '', headers: {}, enqueuedAt: 0 },
      reason: '',
      description: '',
      deadLetteredAt: 0,
      attempts: 1,
    });
    const queues: DeadLetterQueues = {
      list: async () => [dead('5')],
      peek: async (_source, id) => (id === '5' ? dead('5') : undefined),
      replay: async () => 1,
      purge: async () => 1,
    };
    const desk = new DeadLetterDesk(queues);
    const sources: Source[] = [orderQueue, emailEvents];
    await expect(desk.find(sources, '5')).rejects.toThrow(
      'dead letter 5 is in queue order-service and subscription events/email-service: name one with --source or --subscription',
    );
    await expect(desk.replay(sources, ['5'])).rejects.toThrow(/name one with --source/);
    await expect(desk.replay([orderQueue], ['5'])).resolves.toEqual([{ source: orderQueue, count: 1 }]);
  });
});
