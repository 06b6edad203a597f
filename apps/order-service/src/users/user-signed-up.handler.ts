import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { UserSignedUp } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { HandleMessage } from '@stitch/messaging-core';
import { UsersRepository } from './users.repository';

/** Sign-up is choreography: the order service keeps what it needs of a new user and tells nobody. */
@Controller()
export class UserSignedUpHandler {
  constructor(@Inject(UsersRepository) private readonly users: UsersRepository) {}

  @HandleMessage(UserSignedUp)
  async userSignedUp(@Payload() event: MessageData<typeof UserSignedUp>): Promise<void> {
    await this.users.save({ id: event.userId, email: event.email, name: event.name });
  }
}
