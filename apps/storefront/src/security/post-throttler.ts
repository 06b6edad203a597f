import { HttpException, HttpStatus } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { RequestPolicyConfig } from '../config/request-policy.config';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * POSTs (and any other write) per client per minute, every route together: a client is its address as Express sees
 * it (`req.ip`: the TCP peer, or the forwarded address when TRUST_PROXY trusts the proxy). Reads and streams are not
 * counted. The throttler is named `default`, so the 429 carries a plain `Retry-After` (seconds).
 */
export function postThrottlerOptions(config: RequestPolicyConfig): ThrottlerModuleOptions {
  return {
    throttlers: [{ name: 'default', ttl: 60_000, limit: config.postsPerMinute }],
    skipIf: (context) => READS.has(context.switchToHttp().getRequest<{ method: string }>().method),
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
  };
}

/** The throttler's 429 in the API's error shape. */
export class PostThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(): Promise<void> {
    throw new HttpException(
      { message: 'Too many requests from this client; try again after Retry-After seconds' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
