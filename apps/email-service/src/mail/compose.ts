import { MessageRejectedError } from '@stitch/messaging-core';
import nodemailer from 'nodemailer';
import { renderTemplate, type EmailTemplate, type TemplateParams } from './templates';

export interface MailRequest {
  /** The id of the message that asked for the mail; the mail's own Message-ID is made from it. */
  readonly messageId: string;
  readonly to: string;
  readonly template: EmailTemplate;
  readonly params: TemplateParams;
}

/** A whole mail, ready for any delivery: the raw RFC 822 message and the fields kept about it. */
export interface ComposedMail {
  readonly messageId: string;
  readonly messageIdHeader: string;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly raw: Buffer;
}

/**
 * The Message-ID is derived from the causing message's id, so a mail sent again for a redelivered message is
 * recognisably the same mail (and mail systems de-duplicate on it).
 */
export function messageIdHeader(messageId: string): string {
  return `<${checkedMessageId(messageId)}@stitch.local>`;
}

/**
 * The id also names the mail's file, so it must be safe in a header and in a file name. Ids are UUIDs; anything
 * else could never make a mail, however often it is retried.
 */
function checkedMessageId(messageId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(messageId)) {
    throw new MessageRejectedError(`message id ${JSON.stringify(messageId)} cannot name a mail: letters, digits, '.', '_' and '-' only`);
  }
  return messageId;
}

/**
 * nodemailer's stream transport builds the message without sending it; `newline: 'windows'` gives CRLF line
 * endings throughout (RFC 5322), so a written file is byte for byte what an SMTP server would receive.
 */
const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

export async function composeMail(request: MailRequest, from: string, date = new Date()): Promise<ComposedMail> {
  const rendered = renderTemplate(request.template, request.params);
  const header = messageIdHeader(request.messageId);
  const info = await composer.sendMail({
    from,
    to: request.to,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    messageId: header,
    date,
  });
  // `buffer: true` makes it a Buffer; the type also allows the streaming mode's Readable.
  if (!Buffer.isBuffer(info.message)) throw new Error('the mail composer did not return a buffer');
  const raw = info.message;
  return { messageId: request.messageId, messageIdHeader: header, from, to: request.to, subject: rendered.subject, raw };
}
