import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { operatorConfig, type OperatorConfig } from '../config/operator.config';

/** Equal secrets, compared in constant time whatever their lengths (both are hashed to 32 bytes first). */
export function sameSecret(offered: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(offered), digest(expected));
}

/**
 * The operator endpoints (dead letters) need `Authorization: Bearer <OPERATOR_TOKEN>`. Without a configured token
 * they are closed to everyone (outside production, where the storefront does not start without one).
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(@Inject(operatorConfig.KEY) private readonly config: OperatorConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    const offered = /^Bearer +([\x21-\x7e]+) *$/i.exec(request.headers.authorization ?? '')?.[1];
    if (this.config.token !== undefined && offered !== undefined && sameSecret(offered, this.config.token)) return true;
    http.getResponse<ServerResponse>().setHeader('WWW-Authenticate', 'Bearer realm="stitch operator"');
    throw new UnauthorizedException({
      message:
        this.config.token === undefined
          ? 'Operator endpoints are closed: no OPERATOR_TOKEN is configured'
          : 'An operator token is required: Authorization: Bearer <token>',
    });
  }
}
