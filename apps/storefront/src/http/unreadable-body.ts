import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidRequestException, UnreadableBodyException } from './api-error';

/** What body-parser (through http-errors) puts on the errors it raises for a body it cannot read. */
interface BodyParserError {
  readonly status: number;
  readonly expose: boolean;
  readonly type?: string;
  readonly limit?: number;
  readonly charset?: string;
  readonly encoding?: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  if (typeof error !== 'object' || error === null) return false;
  const { status, expose } = error as Partial<BodyParserError>;
  // http-errors marks client errors as safe to show; anything else is the server's own failure.
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true;
}

/**
 * The client-side problem with a request body, worded by the storefront: body-parser's own messages quote the body
 * ("Unexpected token … "4242…" is not valid JSON"), and a body may hold a card number.
 */
export function unreadableBodyProblem(error: unknown): { status: number; problem: string } | undefined {
  if (!isBodyParserError(error)) return undefined;
  switch (error.type) {
    case 'entity.parse.failed':
      return { status: 400, problem: 'the body is not valid JSON (an object is expected)' };
    case 'entity.too.large':
      return { status: 413, problem: `the body is larger than the ${error.limit ?? 'allowed'} bytes allowed` };
    case 'charset.unsupported':
      return { status: 415, problem: `the charset${named(error.charset)} is not supported; send utf-8` };
    case 'encoding.unsupported':
      return { status: 415, problem: `the content-encoding${named(error.encoding)} is not supported` };
    default:
      return { status: error.status, problem: 'the body could not be read' };
  }
}

function named(value: string | undefined): string {
  return value ? ` ${value}` : '';
}

/**
 * Express error middleware, placed right after the body parsers: a body they reject is answered like any other bad
 * request (the API's 400 shape, naming the body), instead of with Nest's default shape quoting the body.
 */
export function rejectUnreadableBody(
  error: unknown,
  _request: IncomingMessage,
  _response: ServerResponse,
  next: (error?: unknown) => void,
): void {
  const unreadable = unreadableBodyProblem(error);
  if (!unreadable) return next(error);
  next(
    unreadable.status === 400
      ? new InvalidRequestException([{ path: '', message: unreadable.problem }])
      : new UnreadableBodyException(unreadable.status, unreadable.problem),
  );
}
