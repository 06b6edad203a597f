export interface UntilOptions {
  /** How long the condition has to come true before the wait fails; 5,000 ms unless given. */
  readonly timeoutMs?: number;
  /** The pause between two looks at the condition; 10 ms unless given. */
  readonly intervalMs?: number;
  /** What there is instead, for the message of a timeout: what the reader of a failed run needs to see why. */
  readonly state?: () => string | Promise<string>;
}

/**
 * Resolves once `condition` holds, for an outcome that arrives asynchronously (a relay's send, a consumer's handling,
 * a process's exit). After `timeoutMs` it rejects with an error that names `what` it waited for, followed by `state`
 * when one is given, so a red run says what never happened. A condition that throws ends the wait at once with its
 * error: a look that cannot be taken is a failure of its own, which looking again until the timeout would only hide.
 */
export async function until(what: string, condition: () => boolean | Promise<boolean>, options: UntilOptions = {}): Promise<void> {
  const { timeoutMs = 5_000, intervalMs = 10, state } = options;
  if (what.trim() === '') throw new TypeError('until: `what` must say what is waited for, got an empty string');
  if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
    throw new RangeError(`until: timeoutMs must be a finite number of milliseconds, 0 or more, got ${timeoutMs}`);
  }
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new RangeError(`until: intervalMs must be a finite number of milliseconds above 0, got ${intervalMs}`);
  }
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${state ? `; ${await describedState(state)}` : ''}`);
    }
    // The global timer, not node:timers/promises, so that a test on Jest's fake timers can drive the wait.
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The state for a timeout's message; a describer that fails must not replace the timeout with its own error. */
async function describedState(state: () => string | Promise<string>): Promise<string> {
  try {
    return await state();
  } catch (error) {
    return `its state could not be described: ${error instanceof Error ? error.message : String(error)}`;
  }
}
