import { BadRequestException, Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { invalidRequestSchema, InvalidRequestException } from './api-error';

/**
 * Every 400 has the API's shape, naming what is wrong. The storefront's own 400s already do; this catches those Nest
 * raises itself with a message of its own, such as a path that is not valid percent-encoding (`/api/orders/%FF`),
 * whose message quotes the value.
 */
@Catch(BadRequestException)
export class InvalidRequestFilter extends BaseExceptionFilter {
  override catch(exception: BadRequestException, host: ArgumentsHost): void {
    const shaped = invalidRequestSchema.safeParse(exception.getResponse()).success;
    super.catch(shaped ? exception : new InvalidRequestException([{ path: '', message: 'the request could not be read' }]), host);
  }
}
