import { InMemoryTransport } from '@stitch/messaging-core/testing';
import { conformanceCatalogue, DoWork } from './conformance-catalogue';
import { commandSender } from './in-memory-drivers';

describe('commandSender', () => {
  it("puts a command on its owner's queue for a service among its senders, and refuses it for any other", async () => {
    const transport = new InMemoryTransport(conformanceCatalogue.topology());
    const received: string[] = [];
    const arrived = new Promise<void>((resolve) =>
      transport.receive(
        { kind: 'queue', name: 'alpha' },
        async (delivery) => {
          received.push(delivery.message.messageId);
          await delivery.complete();
          resolve();
        },
        { concurrency: 1, lockMs: 1_000 },
      ),
    );

    await expect(commandSender('beta')(transport, DoWork, { n: 1 })).rejects.toThrow(
      'beta may not send alpha.do-work.v1: its senders are alpha',
    );
    expect(await commandSender('alpha')(transport, DoWork, { n: 2 }, 'work-2')).toBe('work-2');
    await arrived;
    expect(received).toEqual(['work-2']);
  });
});
