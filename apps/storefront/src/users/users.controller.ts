import { randomUUID } from 'node:crypto';
import { Body, Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { UserSignedUp } from '@stitch/contracts';
import { MessageBus } from '@stitch/messaging-core';
import { ZodResponse } from 'nestjs-zod';
import { sessionConfig, type SessionConfig } from '../config/session.config';
import { ApiRejectedBodyResponses } from '../http/api-responses';
import { issueSession, SESSION_COOKIE } from '../session/customer-session';
import { SignedUpDto, SignUpDto } from './user.schemas';

@ApiTags('users')
@Controller('api/users')
export class UsersController {
  private readonly logger = new Logger(UsersController.name);

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(sessionConfig.KEY) private readonly session: SessionConfig,
  ) {}

  /**
   * Choreography: the storefront only announces the sign-up; order, email and notification each react on their own.
   * The browser gets the new customer's session with the answer.
   */
  @Post()
  @ApiOperation({ summary: 'Sign up; publishes UserSignedUp and starts the customer’s session' })
  @ZodResponse({
    status: 201,
    type: SignedUpDto,
    description: `Signed up; UserSignedUp is published. The ${SESSION_COOKIE} cookie (HTTP-only, signed, SameSite=Strict) is the customer’s session for orders and notifications`,
  })
  @ApiRejectedBodyResponses('A field is missing or invalid; nothing is published')
  async signUp(@Body() body: SignUpDto, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const userId = randomUUID();
    // Through the outbox: the event is sent once this row commits, whatever happens to the transport meanwhile.
    await this.bus.publish(UserSignedUp, { userId, email: body.email, name: body.name });
    issueSession(request, response, userId, this.session);
    this.logger.log({ userId, msg: 'signed up; UserSignedUp published, session started' });
    return { userId };
  }
}
