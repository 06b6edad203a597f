import type { z } from 'zod';

/**
 * Something a service needs at start is not there: its broker or database cannot be reached, an entity of its
 * topology does not exist, its HTTP port is taken. Transports and persistence translate what their SDKs throw into
 * one; the bootstrap prints its message as the one line a user sees (the cause's stack only with LOG_LEVEL=debug)
 * and exits 1. The message says what is wrong and what fixes it, and never holds a secret (a key, a password).
 */
export class StartupError extends Error {
  override readonly name: string = 'StartupError';

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
  }
}

/** A wrong or missing setting; the bootstrap prints its message as the one line a user sees. */
export class ConfigError extends StartupError {
  override readonly name: string = 'ConfigError';
}

/** Validates one concern's settings and names every offending variable. */
export function parseConfig<S extends z.ZodType>(namespace: string, schema: S, env: Record<string, string | undefined>): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || namespace}: ${issue.message}`);
  throw new ConfigError(`Invalid ${namespace} configuration: ${problems.join('; ')}`);
}

/** `a, b, c and 4 more`: a list that keeps a line short, however much is missing. */
export function listBriefly(items: readonly string[], shown = 3): string {
  if (items.length <= shown + 1) return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
}

/**
 * What failed to connect, as a phrase, when `error` (or its cause) is a network failure: connection refused, a name
 * that does not resolve, a timeout, a reset, a TLS handshake that failed. Undefined for anything else (a server that
 * answered with an error). SDKs wrap these differently; all of them keep Node's `code` or its text.
 */
export function networkFailure(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = String((current as { code?: unknown }).code ?? '');
    const message = current instanceof Error ? current.message : String(current);
    const found = NETWORK_CODES.find(([name]) => code === name || new RegExp(`\\b${name}\\b`).test(message));
    if (found) return found[1];
    if (/^ERR_(TLS|SSL)_|CERT|SELF_SIGNED/.test(code)) return `TLS failed: ${code}`;
  }
  return undefined;
}

const NETWORK_CODES: readonly (readonly [string, string])[] = [
  ['ECONNREFUSED', 'connection refused'],
  ['ENOTFOUND', 'host name does not resolve'],
  ['EAI_AGAIN', 'host name lookup failed (DNS)'],
  ['ETIMEDOUT', 'connection timed out'],
  ['ECONNRESET', 'connection reset'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
  ['EPIPE', 'connection closed'],
];

/**
 * Runs a start-up check with a deadline: a broker that accepts connections but never answers (a firewall dropping
 * packets, a wrong port on a live host) makes SDKs wait and retry for minutes. After `timeoutMs` the check is given
 * up and `onTimeout`'s error thrown; `abandon` runs then, without being awaited, to let go of what was opened.
 */
export async function withStartupDeadline<T>(
  check: Promise<T>,
  timeoutMs: number,
  onTimeout: () => StartupError,
  abandon?: () => unknown,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try {
        void Promise.resolve(abandon?.()).catch(() => undefined);
      } finally {
        reject(onTimeout());
      }
    }, timeoutMs);
  });
  try {
    return await Promise.race([check, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
