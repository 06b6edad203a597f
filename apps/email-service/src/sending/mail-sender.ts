import { Inject, Injectable } from '@nestjs/common';
import { EmailSent } from '@stitch/contracts';
import { MessageBus, MessagingRuntime } from '@stitch/messaging-core';
import { Database } from '@stitch/persistence';
import { mailConfig, type MailConfig } from '../config/mail.config';
import { MAIL_DELIVERY, type MailDelivery } from '../delivery/mail-delivery';
import type { PrismaClient } from '../generated/prisma/client';
import { composeMail, type MailRequest } from '../mail/compose';

/**
 * Sends one mail per causing message. Runs inside the handler's inbox transaction: the SentMail row and the
 * EmailSent event commit together. The mail itself leaves before the commit (a mail cannot be rolled back), so a
 * failure after it means a retry delivers it again, which the delivery absorbs (same file) or marks (same
 * Message-ID).
 */
@Injectable()
export class MailSender {
  constructor(
    @Inject(Database) private readonly db: Database<PrismaClient>,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(MAIL_DELIVERY) private readonly delivery: MailDelivery,
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    @Inject(MessagingRuntime) private readonly runtime: MessagingRuntime,
  ) {}

  async send(request: MailRequest): Promise<void> {
    const logger = this.runtime.logger;
    if (await this.db.client.sentMail.findUnique({ where: { id: request.messageId }, select: { id: true } })) {
      logger.debug({ messageId: request.messageId }, 'mail already sent for this message; nothing to do');
      return;
    }
    const mail = await composeMail(request, this.config.from);
    await this.delivery.deliver(mail);
    await this.db.client.sentMail.create({
      data: {
        id: mail.messageId,
        to: mail.to,
        template: request.template,
        subject: mail.subject,
        messageIdHeader: mail.messageIdHeader,
        delivery: this.delivery.kind,
      },
    });
    await this.bus.publish(EmailSent, { sendEmailId: request.messageId, to: request.to, template: request.template });
    logger.info({ messageId: request.messageId, template: request.template, delivery: this.delivery.kind }, 'mail sent');
  }
}
