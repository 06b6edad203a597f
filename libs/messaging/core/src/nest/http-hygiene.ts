import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, Logger, type ArgumentsHost, type INestApplication } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { HttpConfig } from './http.config';

/**
 * What every service's HTTP port sends, the storefront's page included: only same-origin scripts, styles, images and
 * connections (fetch, EventSource), no inline script, no plugin, never framed, no MIME sniffing, no referrer across
 * origins. No `upgrade-insecure-requests`: the shop is served over plain HTTP on 127.0.0.1.
 */
export const CONTENT_SECURITY_POLICY: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * The HTTP hygiene every service's port gets from the bootstrap: security headers (helmet: CSP, frame-ancestors
 * 'none', nosniff, a strict referrer policy, no X-Powered-By), `trust proxy` from TRUST_PROXY, and client errors
 * answered in fixed words and logged at warn.
 */
export function applyHttpHygiene(app: INestApplication, config: HttpConfig, clientErrorBody?: ClientErrorBody): void {
  const express = app as NestExpressApplication;
  express.set('trust proxy', config.trustProxy);
  express.disable('x-powered-by');
  express.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY as Record<string, string[]> },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      // The page loads nothing from elsewhere and is loaded by nothing else.
      crossOriginResourcePolicy: { policy: 'same-origin' },
    }),
  );
  app.useGlobalFilters(new ClientErrorFilter(app.getHttpAdapter(), clientErrorBody));
}

/** The body of a client error's answer, in the app's own error shape (default `{ statusCode, message }`). */
export type ClientErrorBody = (statusCode: number, message: string) => Record<string, unknown>;

/** What body-parser, Express's router and `send` raise (http-errors): a status, and whether the message may be shown. */
interface HttpError {
  readonly statusCode: number;
  readonly message: string;
  readonly type?: string;
}

/** Express's router reports a path it cannot decode as `Failed to decode param '%FF'`; Nest passes it on as a 400. */
const UNDECODABLE_PARAM = /^Failed to decode param/i;

function isClientHttpError(error: unknown): error is HttpError | HttpException {
  if (error instanceof HttpException) return error.getStatus() === 400 && UNDECODABLE_PARAM.test(error.message);
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * The words for a client error raised below Nest (a body too large or unreadable, a path that is not valid
 * percent-encoding): fixed, never quoting what the client sent (`Failed to decode param '%FF'`).
 */
export function clientErrorMessage(error: HttpError): string {
  if (error instanceof URIError || UNDECODABLE_PARAM.test(error.message)) return 'a path parameter is not valid percent-encoding';
  switch (error.type) {
    case 'entity.too.large':
      return 'the body is too large';
    case 'entity.parse.failed':
      return 'the body is not valid JSON';
    case 'charset.unsupported':
      return 'the charset is not supported; send utf-8';
    case 'encoding.unsupported':
      return 'the content-encoding is not supported';
    default:
      return STATUS_CODES[error.statusCode] ?? 'Bad request';
  }
}

/**
 * Client errors raised below Nest's routes are the client's doing, not the service's: answered with their status in
 * fixed words and logged at warn, one line without a stack. Everything else is Nest's default (a 5xx is logged at
 * error with its stack).
 */
@Catch()
export class ClientErrorFilter extends BaseExceptionFilter {
  private static readonly log = new Logger('HttpClientError');

  constructor(
    applicationRef: ConstructorParameters<typeof BaseExceptionFilter>[0],
    private readonly body: ClientErrorBody = (statusCode, message) => ({ statusCode, message }),
  ) {
    super(applicationRef);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (!isClientHttpError(exception)) return super.catch(exception, host);
    const status = exception instanceof HttpException ? exception.getStatus() : exception.statusCode;
    const message = clientErrorMessage({ statusCode: status, message: exception.message, type: (exception as { type?: string }).type });
    const request = host.switchToHttp().getRequest<{ method?: string }>();
    ClientErrorFilter.log.warn({ status, method: request?.method, msg: `client error ${status}: ${message}` });
    super.catch(new HttpException(this.body(status, message), status), host);
  }
}
