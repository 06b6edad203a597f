import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EmailSent, SendEmail, UserSignedUp } from '@stitch/contracts';
import { startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { until } from '@stitch/waiting-testing';
import { readMail } from '../../test/support/read-mail';
import { startEmailService, type EmailServiceHarness } from '../../test/support/email-service-harness';

let server: TestPostgres;
let service: EmailServiceHarness;
let mailDir: string;

beforeAll(async () => {
  server = await startTestPostgres();
  mailDir = await mkdtemp(path.join(os.tmpdir(), 'stitch-mail-'));
  service = await startEmailService({ DATABASE_URL: server.url, MAIL_DIR: mailDir, MAIL_FROM: 'Stitch Shop <shop@stitch.local>' });
});

afterAll(async () => {
  await service?.close();
  await server?.stop();
  await rm(mailDir, { recursive: true, force: true });
});

const emailSentFor = (id: string) =>
  service.published.filter((e) => e.type === EmailSent.type && (e.data as { sendEmailId: string }).sendEmailId === id);
const sentMail = (id: string) =>
  service.rows('SELECT id, "to", template, subject, message_id_header, delivery FROM sent_mail WHERE id = $1', [id]);

describe('email service (files)', () => {
  it('turns SendEmail into one mail file, a SentMail row and an EmailSent event', async () => {
    const envelope = await service.deliver(SendEmail, {
      to: 'ada@example.com',
      template: 'order-confirmed',
      params: { orderId: 'ord-42', totalCents: 4_999 },
    });

    await until("EmailSent for Ada's order confirmation", () => emailSentFor(envelope.id).length === 1);
    const mail = readMail(await readFile(path.join(mailDir, `${envelope.id}.eml`)));
    expect(mail.header('Message-ID')).toBe(`<${envelope.id}@stitch.local>`);
    expect(mail.header('To')).toBe('ada@example.com');
    expect(mail.header('From')).toBe('Stitch Shop <shop@stitch.local>');
    expect(mail.header('Subject')).toBe('Your order ord-42 is confirmed');
    expect(mail.text).toContain('€49.99');
    expect(await sentMail(envelope.id)).toEqual([
      {
        id: envelope.id,
        to: 'ada@example.com',
        template: 'order-confirmed',
        subject: 'Your order ord-42 is confirmed',
        message_id_header: `<${envelope.id}@stitch.local>`,
        delivery: 'file',
      },
    ]);
    const [event] = emailSentFor(envelope.id);
    expect(event).toMatchObject({
      source: 'email-service',
      kind: 'event',
      correlationId: envelope.correlationId,
      causationId: envelope.id,
    });
    expect(event?.data).toEqual({ sendEmailId: envelope.id, to: 'ada@example.com', template: 'order-confirmed' });
  });

  it('makes one mail, one row and one EmailSent of a message delivered twice', async () => {
    const id = randomUUID();
    await service.deliver(
      SendEmail,
      { to: 'bob@example.com', template: 'order-cancelled', params: { orderId: 'ord-7', reason: 'payment declined' } },
      id,
    );
    await until("EmailSent for Bob's cancellation", () => emailSentFor(id).length === 1);
    const first = await readFile(path.join(mailDir, `${id}.eml`));

    await service.deliver(
      SendEmail,
      { to: 'bob@example.com', template: 'order-cancelled', params: { orderId: 'ord-7', reason: 'payment declined' } },
      id,
    );
    await service.settled(id, 'duplicate');

    expect(emailSentFor(id)).toHaveLength(1);
    expect(await sentMail(id)).toHaveLength(1);
    expect((await readdir(mailDir)).filter((name) => name.startsWith(id))).toEqual([`${id}.eml`]);
    expect(await readFile(path.join(mailDir, `${id}.eml`))).toEqual(first);
    expect(await service.transport.deadLetters.list({ kind: 'queue', name: 'email-service' })).toEqual([]);
  });

  it('sends nothing again for a message whose mail is recorded, even if its inbox record is gone', async () => {
    const id = randomUUID();
    const data = { to: 'eve@example.com', template: 'welcome', params: { name: 'Eve' } } as const;
    await service.deliver(SendEmail, data, id);
    await until("EmailSent for Eve's welcome", () => emailSentFor(id).length === 1);

    await service.rows('DELETE FROM stitch_inbox WHERE message_id = $1', [id]);
    await service.deliver(SendEmail, data, id);
    // With no inbox record to stop it, the repeat runs the handler again: a second `handled`.
    await service.settled(id, 'handled', 2);

    expect(emailSentFor(id)).toHaveLength(1);
    expect(await sentMail(id)).toHaveLength(1);
  });

  it('welcomes a user who signed up', async () => {
    const envelope = await service.deliver(UserSignedUp, { userId: randomUUID(), email: 'cy@example.com', name: 'Cy' });

    await until("EmailSent for Cy's welcome", () => emailSentFor(envelope.id).length === 1);
    const mail = readMail(await readFile(path.join(mailDir, `${envelope.id}.eml`)));
    expect(mail.header('Message-ID')).toBe(`<${envelope.id}@stitch.local>`);
    expect(mail.header('To')).toBe('cy@example.com');
    expect(mail.header('Subject')).toBe('Welcome to Stitch');
    expect(mail.text).toContain('Hello Cy,');
    expect(await sentMail(envelope.id)).toMatchObject([{ template: 'welcome', delivery: 'file' }]);
    expect(emailSentFor(envelope.id)[0]?.data).toEqual({ sendEmailId: envelope.id, to: 'cy@example.com', template: 'welcome' });
  });

  it('dead-letters a SendEmail whose params do not fit its template, naming the param, sending nothing', async () => {
    const envelope = await service.deliver(SendEmail, { to: 'dee@example.com', template: 'order-confirmed', params: { orderId: 'ord-9' } });

    await until(
      "Dee's SendEmail dead-lettered",
      async () => (await service.transport.deadLetters.list({ kind: 'queue', name: 'email-service' })).length === 1,
    );
    const [dead] = await service.transport.deadLetters.list({ kind: 'queue', name: 'email-service' });
    expect(dead?.message.messageId).toBe(envelope.id);
    expect(dead?.reason).toMatch(/^MessageRejectedError: template order-confirmed cannot render: totalCents: /);
    expect(await sentMail(envelope.id)).toEqual([]);
    expect(emailSentFor(envelope.id)).toEqual([]);
    expect(await readdir(mailDir)).not.toContain(`${envelope.id}.eml`);
  });
});
