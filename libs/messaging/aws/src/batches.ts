import { setTimeout as sleep } from 'node:timers/promises';

/** Both SQS batch calls and PutEvents take at most 10 entries. */
export const MAX_BATCH_ENTRIES = 10;

/** Splits entries into batches of at most `maxEntries` whose sizes add up to at most `maxBytes`. */
export function batchesOf<E extends { readonly bytes: number }>(entries: readonly E[], maxEntries: number, maxBytes: number): E[][] {
  const batches: E[][] = [];
  let current: E[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length > 0 && (current.length >= maxEntries || bytes + entry.bytes > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface EntryFailure {
  /** Index into the entries given to that call. */
  readonly index: number;
  readonly code: string;
  readonly message: string;
  /** False for what will fail the same way again (a malformed entry, a missing permission). */
  readonly retryable: boolean;
}

export interface RetryOptions {
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Calls `send` and, after a partial failure, calls it again with only the entries that failed (throttling,
 * internal errors), so an entry that went through is not sent twice. Gives up with one error naming every
 * entry that still failed.
 */
export async function sendRetryingFailed<E>(
  what: string,
  entries: readonly E[],
  send: (entries: readonly E[]) => Promise<readonly EntryFailure[]>,
  describe: (entry: E) => string,
  options: RetryOptions = {},
): Promise<void> {
  const attempts = options.attempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const wait = options.sleep ?? sleep;
  let pending = [...entries];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const failures = await send(pending);
    if (failures.length === 0) return;
    const permanent = failures.filter((failure) => !failure.retryable);
    if (permanent.length > 0 || attempt >= attempts) {
      const shown = (permanent.length > 0 ? permanent : failures).map(
        (failure) => `${describe(pending[failure.index] as E)}: ${failure.code} ${failure.message}`,
      );
      throw new Error(
        `${what}: ${failures.length} of ${pending.length} entries failed${permanent.length > 0 ? '' : ` after ${attempt} attempts`}: ${shown.join('; ')}`,
      );
    }
    pending = failures.map((failure) => pending[failure.index] as E);
    await wait(baseDelayMs * 2 ** (attempt - 1));
  }
}

/** PutEvents error codes that a retry cannot fix. */
const PERMANENT_EVENT_ERRORS = new Set([
  'InvalidArgument',
  'MalformedDetail',
  'ValidationException',
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
  'ResourceNotFoundException',
]);

export function eventFailureRetryable(code: string | undefined): boolean {
  return !PERMANENT_EVENT_ERRORS.has(code ?? '');
}
