import { randomUUID } from 'node:crypto';
import { Body, Controller, Inject, Logger, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserSignedUp } from '@stitch/contracts';
import { MessageBus } from '@stitch/messaging-core';
import { ZodResponse } from 'nestjs-zod';
import { ApiRejectedBodyResponses } from '../http/api-responses';
import { SignedUpDto, SignUpDto } from './user.schemas';

@ApiTags('users')
@Controller('api/users')
export class UsersController {
  private readonly logger = new Logger(UsersController.name);

  constructor(@Inject(MessageBus) private readonly bus: MessageBus) {}

  /** Choreography: the storefront only announces the sign-up; order, email and notification each react on their own. */
  @Post()
  @ApiOperation({ summary: 'Sign up; publishes UserSignedUp' })
  @ZodResponse({ status: 201, type: SignedUpDto, description: 'Signed up; UserSignedUp is published' })
  @ApiRejectedBodyResponses('A field is missing or invalid; nothing is published')
  async signUp(@Body() body: SignUpDto) {
    const userId = randomUUID();
    await this.bus.publish(UserSignedUp, { userId, email: body.email, name: body.name });
    this.logger.log({ userId, msg: 'signed up; UserSignedUp published' });
    return { userId };
  }
}
