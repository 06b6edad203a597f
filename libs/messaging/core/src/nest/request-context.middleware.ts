import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInMessageContext } from '../message-context';

export const CORRELATION_HEADER = 'x-correlation-id';

const acceptable = /^[\w.:-]{1,128}$/;

/**
 * Runs each HTTP request as the start of a flow: the messages it sends and the lines it logs carry one
 * correlation id, taken from the caller's `x-correlation-id` when it looks like one, else new, and echoed back.
 */
export function requestContext(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  const offered = request.headers[CORRELATION_HEADER];
  const correlationId = typeof offered === 'string' && acceptable.test(offered) ? offered : randomUUID();
  response.setHeader(CORRELATION_HEADER, correlationId);
  runInMessageContext({ correlationId }, next);
}
