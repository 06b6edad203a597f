import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { SendEmail, UserSignedUp } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { HandleMessage, MessageEnvelope, type Envelope } from '@stitch/messaging-core';
import { MailSender } from './mail-sender';

@Controller()
export class EmailHandlers {
  constructor(@Inject(MailSender) private readonly sender: MailSender) {}

  @HandleMessage(SendEmail)
  async sendEmail(@Payload() data: MessageData<typeof SendEmail>, @MessageEnvelope() envelope: Envelope): Promise<void> {
    await this.sender.send({ messageId: envelope.id, to: data.to, template: data.template, params: data.params });
  }

  /** Choreography: nobody asks for the welcome mail; the email service reacts to the sign-up on its own. */
  @HandleMessage(UserSignedUp)
  async welcome(@Payload() data: MessageData<typeof UserSignedUp>, @MessageEnvelope() envelope: Envelope): Promise<void> {
    await this.sender.send({ messageId: envelope.id, to: data.email, template: 'welcome', params: { name: data.name } });
  }
}
