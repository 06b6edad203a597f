import fs, { mkdtemp, readdir, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ComposedMail } from '../mail/compose';
import { FileDelivery } from './file-delivery';

let dir: string;

beforeEach(async () => {
  dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'stitch-mail-')), 'mail');
});

afterEach(async () => {
  await rm(path.dirname(dir), { recursive: true, force: true });
});

function mail(messageId: string, raw: string): ComposedMail {
  return {
    messageId,
    messageIdHeader: `<${messageId}@stitch.local>`,
    from: 'shop@stitch.local',
    to: 'ada@example.com',
    subject: 's',
    raw: Buffer.from(raw),
  };
}

describe('FileDelivery', () => {
  it('writes the raw message as <messageId>.eml, creating the folder, leaving no temporary file', async () => {
    const delivery = new FileDelivery(dir);
    expect(await delivery.write(mail('m-1', 'first\r\n'))).toBe(true);
    expect(await readFile(path.join(dir, 'm-1.eml'), 'utf8')).toBe('first\r\n');
    expect(await readdir(dir)).toEqual(['m-1.eml']);
  });

  it('syncs the folder once the mail has its name, so that a power cut cannot take the name away', async () => {
    const synced: string[] = [];
    const open = fs.open;
    const spy = jest.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
      const handle: FileHandle = await open(...args);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        synced.push(path.relative(dir, String(args[0])) || '.');
        return sync();
      };
      return handle;
    });
    try {
      await new FileDelivery(dir).write(mail('m-5', 'durable'));
    } finally {
      spy.mockRestore();
    }
    expect(synced).toEqual([expect.stringMatching(/^\.m-5\..+\.tmp$/), '.']);
  });

  it('leaves an existing mail as it is when the same message is delivered again', async () => {
    const delivery = new FileDelivery(dir);
    await delivery.deliver(mail('m-1', 'first'));
    expect(await delivery.write(mail('m-1', 'second'))).toBe(false);
    expect(await readFile(path.join(dir, 'm-1.eml'), 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual(['m-1.eml']);
  });

  it('makes exactly one mail out of concurrent deliveries of one message, each file whole', async () => {
    const delivery = new FileDelivery(dir);
    const bodies = Array.from({ length: 8 }, (_, n) => `body ${n} `.repeat(10_000));
    const written = await Promise.all(bodies.map((body) => delivery.write(mail('m-2', body))));
    expect(written.filter(Boolean)).toHaveLength(1);
    expect(bodies).toContain(await readFile(path.join(dir, 'm-2.eml'), 'utf8'));
    expect(await readdir(dir)).toEqual(['m-2.eml']);
  });

  it('never exposes a partly written mail under its name: a stray temporary file is not a mail', async () => {
    const delivery = new FileDelivery(dir);
    await delivery.deliver(mail('m-3', 'whole'));
    await writeFile(path.join(dir, '.m-4.crashed.tmp'), 'half');
    await delivery.deliver(mail('m-4', 'whole again'));
    expect(await readFile(path.join(dir, 'm-4.eml'), 'utf8')).toBe('whole again');
  });
});
