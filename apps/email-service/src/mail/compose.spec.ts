import { MessageRejectedError } from '@stitch/messaging-core';
import { readMail } from '../../test/support/read-mail';
import { composeMail, messageIdHeader } from './compose';

const id = '7d0c3f7e-5b7a-4a43-9a53-4d3f1d6e2c10';
const from = 'Stitch <shop@stitch.local>';

describe('composeMail', () => {
  it('makes a whole RFC 822 message with the headers and both bodies', async () => {
    const mail = await composeMail(
      { messageId: id, to: 'ada@example.com', template: 'order-confirmed', params: { orderId: 'ord-42', totalCents: 1999, name: 'Zoë' } },
      from,
      new Date('2026-11-01T10:00:00Z'),
    );

    expect(mail).toMatchObject({
      messageId: id,
      messageIdHeader: `<${id}@stitch.local>`,
      from,
      to: 'ada@example.com',
      subject: 'Your order ord-42 is confirmed',
    });
    const read = readMail(mail.raw);
    expect(read.header('Message-ID')).toBe(`<${id}@stitch.local>`);
    expect(read.header('From')).toBe(from);
    expect(read.header('To')).toBe('ada@example.com');
    expect(read.header('Subject')).toBe('Your order ord-42 is confirmed');
    expect(read.header('Date')).toBe('Sun, 01 Nov 2026 10:00:00 +0000');
    expect(read.header('Content-Type')).toMatch(/^multipart\/alternative;/);
    for (const body of [read.text, read.html]) {
      expect(body).toContain('Hello Zoë,');
      expect(body).toContain('ord-42');
      expect(body).toContain('€19.99');
    }
    expect(read.html).toMatch(/^<!doctype html>/);
  });

  it('uses CRLF line endings, as RFC 822 wants', async () => {
    const mail = await composeMail({ messageId: id, to: 'ada@example.com', template: 'welcome', params: { name: 'Ada' } }, from);
    expect(mail.raw.toString()).toContain('\r\n');
    expect(mail.raw.toString()).not.toMatch(/[^\r]\n/);
  });

  it('refuses a message id that cannot name a mail or its file', () => {
    expect(messageIdHeader(id)).toBe(`<${id}@stitch.local>`);
    for (const bad of ['../../etc/passwd', 'a b', 'x>y@z', '', '.hidden']) {
      expect(() => messageIdHeader(bad)).toThrow(MessageRejectedError);
    }
  });
});
