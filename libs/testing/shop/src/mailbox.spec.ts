import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listMails, readMail } from './mailbox';

describe('mailbox', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-mailbox-'));
  });

  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('lists no mails before the folder exists, then the .eml files', async () => {
    expect(await listMails(dataDir)).toEqual([]);
    await mkdir(path.join(dataDir, 'mail'));
    await writeFile(path.join(dataDir, 'mail', 'a.eml'), '');
    await writeFile(path.join(dataDir, 'mail', 'notes.txt'), '');
    expect(await listMails(dataDir)).toEqual([path.join(dataDir, 'mail', 'a.eml')]);
  });

  it('reads the headers, folded ones included, and the Message-ID', async () => {
    const file = path.join(dataDir, 'm.eml');
    await writeFile(
      file,
      'From: shop@example.com\r\nSubject: Your order\r\n is confirmed\r\nMessage-ID: <abc-1@stitch.local>\r\n\r\nHello\r\n',
    );
    const mail = await readMail(file);
    expect(mail.messageIdHeader).toBe('<abc-1@stitch.local>');
    expect(mail.headers.get('subject')).toBe('Your order is confirmed');
  });

  it.each([
    ['Subject: no id\n\nbody', 'no valid Message-ID header'],
    ['Message-ID: abc\n\nbody', 'no valid Message-ID header'],
    ['not a header\n\nbody', 'is not a header line'],
    ['Message-ID: <a@b>', 'no blank line'],
  ])('refuses a file that is not a message with a Message-ID (%j)', async (text, message) => {
    const file = path.join(dataDir, 'bad.eml');
    await writeFile(file, text);
    await expect(readMail(file)).rejects.toThrow(message);
  });
});
