import { setTimeout as delay } from 'node:timers/promises';
import { Controller, Inject, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { UserSignedUp } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { HandleMessage } from '@stitch/messaging-core';
import { workshopConfig, type WorkshopConfig } from '../config/workshop.config';
import { UsersRepository } from './users.repository';

/** Sign-up is choreography: the order service keeps what it needs of a new user and tells nobody. */
@Controller()
export class UserSignedUpHandler {
  private readonly logger = new Logger('UserSignedUp');

  constructor(
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(workshopConfig.KEY) private readonly workshop: WorkshopConfig,
  ) {}

  @HandleMessage(UserSignedUp)
  async userSignedUp(@Payload() event: MessageData<typeof UserSignedUp>): Promise<void> {
    if (this.workshop.signupDelayMs > 0) {
      // Said before the wait, so a workshop participant knows when the replica holds the message.
      this.logger.warn({
        userId: event.userId,
        msg: `holding UserSignedUp for ${this.workshop.signupDelayMs} ms before storing the user (ORDER_SERVICE_SIGNUP_DELAY_MS)`,
      });
      await delay(this.workshop.signupDelayMs);
    }
    await this.users.save({ id: event.userId, email: event.email, name: event.name });
  }
}
