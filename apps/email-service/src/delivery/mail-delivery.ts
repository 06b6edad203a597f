import type { ComposedMail } from '../mail/compose';

export type DeliveryKind = 'file' | 'smtp';

/** Where a composed mail goes. Delivering the same mail twice must not make a second mail where it can be helped. */
export interface MailDelivery {
  readonly kind: DeliveryKind;
  /** For the start-up log line: never anything secret. */
  readonly describe: string;
  deliver(mail: ComposedMail): Promise<void>;
  close(): Promise<void>;
}

export const MAIL_DELIVERY = Symbol('MAIL_DELIVERY');
