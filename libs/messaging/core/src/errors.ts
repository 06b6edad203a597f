import type { z } from 'zod';

/**
 * A failure that no retry can cure (the message's data can never be used, a rule forbids it): the consumer
 * dead-letters the message on the attempt that threw it. Any other error is taken as transient and retried.
 */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
}

/** Thrown at the call site for a message the catalogue does not allow; nothing is sent. */
export class MessageRejectedError extends PermanentError {
  override readonly name: string = 'MessageRejectedError';
}

/** The payload does not satisfy the message's schema; `issues` name the fields. */
export class MessageValidationError extends MessageRejectedError {
  override readonly name: string = 'MessageValidationError';
  constructor(
    readonly messageName: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(`${messageName} is invalid: ${describeIssues(issues)}`);
  }
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}

/**
 * Something the handler needs cannot be reached (the database, the broker, an upstream service): no fault of the
 * message. The consumer does not spend the message's attempts on it; it pauses consumption until the dependency
 * answers again (its circuit breaker). A network failure (connection refused, reset, timed out) counts the same.
 */
export class DependencyUnavailableError extends Error {
  override readonly name: string = 'DependencyUnavailableError';
  constructor(
    readonly dependency: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${dependency} unavailable: ${message}`, options);
  }
}
