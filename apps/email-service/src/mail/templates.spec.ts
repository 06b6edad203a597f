import { MessageRejectedError } from '@stitch/messaging-core';
import { renderTemplate } from './templates';

describe('renderTemplate', () => {
  it('welcomes a new customer by name', () => {
    const mail = renderTemplate('welcome', { name: 'Ada' });
    expect(mail.subject).toBe('Welcome to Stitch');
    expect(mail.text).toContain('Hello Ada,');
    expect(mail.html).toContain('<p>Hello Ada,</p>');
  });

  it('confirms an order with its number and total', () => {
    const mail = renderTemplate('order-confirmed', { orderId: 'ord-42', totalCents: 12_345, name: 'Ada' });
    expect(mail.subject).toBe('Your order ord-42 is confirmed');
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('ord-42');
      expect(body).toContain('€123.45');
      expect(body).toContain('Hello Ada,');
    }
  });

  it('explains a cancellation with its reason, and greets without a name', () => {
    const mail = renderTemplate('order-cancelled', { orderId: 'ord-7', reason: 'payment declined' });
    expect(mail.subject).toBe('Your order ord-7 was cancelled');
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('ord-7');
      expect(body).toContain('payment declined');
      expect(body).toContain('Hello,');
    }
  });

  it('puts params into the HTML as text, never as markup', () => {
    const mail = renderTemplate('welcome', { name: '<b>Eve</b> & "friends"' });
    expect(mail.html).toContain('&#60;b&#62;Eve&#60;/b&#62; &#38; &#34;friends&#34;');
    expect(mail.html).not.toContain('<b>');
    expect(mail.text).toContain('<b>Eve</b> & "friends"');
  });

  it.each([
    ['welcome', {}, /template welcome cannot render: name: /],
    ['order-confirmed', { orderId: 'ord-1' }, /template order-confirmed cannot render: totalCents: /],
    ['order-confirmed', { orderId: 'ord-1', totalCents: 'lots' }, /totalCents: /],
    ['order-cancelled', { reason: 'no stock' }, /template order-cancelled cannot render: orderId: /],
  ] as const)('rejects %s params %o, naming what is missing', (template, params, message) => {
    const render = () => renderTemplate(template, params);
    expect(render).toThrow(MessageRejectedError);
    expect(render).toThrow(message);
  });
});
