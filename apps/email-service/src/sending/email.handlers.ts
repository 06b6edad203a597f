import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { SendEmail, UserSignedUp } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { HandleMessage, StitchContext } from '@stitch/messaging-core';
import { MailSender } from './mail-sender';

@Controller()
export class EmailHandlers {
  constructor(@Inject(MailSender) private readonly sender: MailSender) {}

  @HandleMessage(SendEmail)
  async sendEmail(@Payload() data: MessageData<typeof SendEmail>, @Ctx() context: StitchContext): Promise<void> {
    await this.sender.send({ messageId: context.getEnvelope().id, to: data.to, template: data.template, params: data.params });
  }

  /** Choreography: nobody asks for the welcome mail; the email service reacts to the sign-up on its own. */
  @HandleMessage(UserSignedUp)
  async welcome(@Payload() data: MessageData<typeof UserSignedUp>, @Ctx() context: StitchContext): Promise<void> {
    await this.sender.send({ messageId: context.getEnvelope().id, to: data.email, template: 'welcome', params: { name: data.name } });
  }
}
