import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { mailConfig } from '../config/mail.config';
import { MailDeliveryLifecycle, mailDeliveryProvider } from '../delivery/delivery.provider';
import { EmailHandlers } from './email.handlers';
import { MailSender } from './mail-sender';

@Module({
  imports: [ConfigModule.forFeature(mailConfig)],
  controllers: [EmailHandlers],
  providers: [mailDeliveryProvider, MailDeliveryLifecycle, MailSender],
})
export class SendingModule {}
