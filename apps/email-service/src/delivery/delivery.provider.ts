import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { MessagingRuntime } from '@stitch/messaging-core';
import { mailConfig, type MailConfig } from '../config/mail.config';
import { FileDelivery } from './file-delivery';
import { MAIL_DELIVERY, type MailDelivery } from './mail-delivery';
import { SmtpDelivery } from './smtp-delivery';

/** SMTP when `SMTP_URL` is set, otherwise files: the choice is made once, from validated config. */
export const mailDeliveryProvider: Provider = {
  provide: MAIL_DELIVERY,
  inject: [mailConfig.KEY, MessagingRuntime],
  useFactory: (config: MailConfig, runtime: MessagingRuntime): MailDelivery => {
    const delivery = config.smtp ? new SmtpDelivery(config.smtp.url, config.smtp.host) : new FileDelivery(config.dir);
    runtime.logger.info({ delivery: delivery.kind }, `mails go to ${delivery.describe}`);
    return delivery;
  },
};

@Injectable()
export class MailDeliveryLifecycle implements OnApplicationShutdown {
  constructor(@Inject(MAIL_DELIVERY) private readonly delivery: MailDelivery) {}

  async onApplicationShutdown(): Promise<void> {
    await this.delivery.close();
  }
}
