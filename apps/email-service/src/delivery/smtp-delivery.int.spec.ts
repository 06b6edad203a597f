import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { EmailSent, SendEmail } from '@stitch/contracts';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { until } from '@stitch/waiting-testing';
import { SMTPServer } from 'smtp-server';
import { readMail } from '../../test/support/read-mail';
import { startEmailService, type EmailServiceHarness } from '../../test/support/email-service-harness';

interface Received {
  readonly from: string;
  readonly to: string[];
  readonly user: string | undefined;
  readonly raw: Buffer;
}

let server: TestPostgres;
let smtp: SMTPServer;
let service: EmailServiceHarness;
const received: Received[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
  smtp = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust in a test.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) =>
      auth.username === 'shop' && auth.password === 's3cret'
        ? callback(null, { user: auth.username })
        : callback(new Error('bad credentials')),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  service = await startEmailService({ DATABASE_URL: server.url, SMTP_URL: `smtp://shop:s3cret@127.0.0.1:${port}` });
});

afterAll(async () => {
  await service?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(resolve) : resolve()));
  await server?.stop();
});

describe('email service (SMTP)', () => {
  it('hands the mail to the SMTP server, logged in, with the Message-ID of the causing message', async () => {
    const id = randomUUID();
    await service.deliver(SendEmail, { to: 'ada@example.com', template: 'welcome', params: { name: 'Ada' } }, id);

    await until('EmailSent published', () => service.published.some((e) => e.type === EmailSent.type));
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail?.from).toBe('shop@stitch.local');
    expect(mail?.to).toEqual(['ada@example.com']);
    expect(mail?.user).toBe('shop');
    const read = readMail(mail?.raw ?? '');
    expect(read.header('Message-ID')).toBe(`<${id}@stitch.local>`);
    expect(read.header('Subject')).toBe('Welcome to Stitch');
    expect(read.text).toContain('Hello Ada,');
    expect(await service.rows('SELECT delivery, message_id_header FROM sent_mail WHERE id = $1', [id])).toEqual([
      { delivery: 'smtp', message_id_header: `<${id}@stitch.local>` },
    ]);
  });
});
