import { createParamDecorator, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { sessionOf, SESSION_COOKIE, type CustomerSession } from './customer-session';

type RequestWithSession = Request & { customerSession?: CustomerSession };

/** A customer's route: without a valid session the answer is 401, and the handler never runs. */
@Injectable()
export class SessionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithSession>();
    const session = sessionOf(request);
    if (!session) {
      throw new UnauthorizedException({
        message: `Sign up first: this needs a customer session (the ${SESSION_COOKIE} cookie POST /api/users sets), and it is missing, forged or expired`,
      });
    }
    request.customerSession = session;
    return true;
  }
}

/** The id of the customer whose session the request carries (only on a route behind SessionGuard). */
export const CustomerId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const session = context.switchToHttp().getRequest<RequestWithSession>().customerSession;
  if (!session) throw new Error('CustomerId used on a route without SessionGuard');
  return session.customerId;
});
