import nodemailer, { type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { ComposedMail } from '../mail/compose';
import type { MailDelivery } from './mail-delivery';

/**
 * Hands each mail to an SMTP server, byte for byte as composed (the same message a file delivery writes). An
 * SMTP server cannot tell a repeat from a new mail; the Message-ID, made from the causing message's id, lets
 * the receiving side recognise one.
 */
export class SmtpDelivery implements MailDelivery {
  readonly kind = 'smtp';
  private readonly transporter: Transporter;

  /** `url` may carry a password: only `host` is ever shown. */
  constructor(
    url: string,
    private readonly host: string,
  ) {
    this.transporter = nodemailer.createTransport(url);
  }

  get describe(): string {
    return `SMTP via ${this.host}`;
  }

  async deliver(mail: ComposedMail): Promise<void> {
    await this.transporter.sendMail({ envelope: { from: bareAddress(mail.from), to: [mail.to] }, raw: mail.raw });
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

/** The SMTP envelope takes an address without its display name. */
function bareAddress(from: string): string {
  const [first] = addressparser(from, { flatten: true });
  if (!first?.address) throw new Error(`no address in From: ${from}`);
  return first.address;
}
