import type { Delivery, IncomingMessage } from '../transport';

export interface FakeDelivery extends Delivery {
  readonly settled:
    { kind: 'complete' } | { kind: 'retry'; delayMs: number } | { kind: 'dead-letter'; reason: string; description: string } | undefined;
}

/** A delivery that records how it was settled, for testing the settle rules without a transport. */
export function fakeDelivery(
  body: string,
  options: { type?: string; attempt?: number; headers?: Record<string, string> } = {},
): FakeDelivery {
  const message: IncomingMessage = {
    messageId: 'm-1',
    type: options.type ?? 'unknown',
    correlationId: 'c-1',
    body,
    headers: options.headers ?? {},
    enqueuedAt: Date.now(),
  };
  const state: { settled: FakeDelivery['settled'] } = { settled: undefined };
  const settle = (value: NonNullable<FakeDelivery['settled']>) => {
    if (state.settled) throw new Error('settled twice');
    state.settled = value;
  };
  return {
    message,
    attempt: options.attempt ?? 1,
    get settled() {
      return state.settled;
    },
    complete: async () => settle({ kind: 'complete' }),
    retryLater: async (delayMs) => settle({ kind: 'retry', delayMs }),
    deadLetter: async (reason, description) => settle({ kind: 'dead-letter', reason, description }),
  };
}
