import { batchesOf, eventFailureRetryable, sendRetryingFailed, type EntryFailure } from './batches';

const sized = (bytes: number, name = '') => ({ bytes, name });

describe('batchesOf', () => {
  it('puts at most ten entries in a batch', () => {
    const batches = batchesOf(
      Array.from({ length: 23 }, () => sized(1)),
      10,
      1_000,
    );
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 3]);
  });

  it('starts a new batch before the total size would pass the limit', () => {
    const batches = batchesOf([sized(400), sized(400), sized(300), sized(100), sized(1_000)], 10, 1_000);
    expect(batches.map((batch) => batch.map((entry) => entry.bytes))).toEqual([[400, 400], [300, 100], [1_000]]);
  });

  it('gives nothing for nothing', () => {
    expect(batchesOf([], 10, 1_000)).toEqual([]);
  });
});

describe('sendRetryingFailed', () => {
  const noWait = { sleep: async () => undefined };

  it('sends again only the entries that failed, until all went through', async () => {
    const calls: string[][] = [];
    const outcomes: EntryFailure[][] = [
      [
        { index: 1, code: 'ThrottlingException', message: 'slow down', retryable: true },
        { index: 3, code: 'InternalFailure', message: '', retryable: true },
      ],
      [{ index: 0, code: 'ThrottlingException', message: '', retryable: true }],
      [],
    ];
    await sendRetryingFailed(
      'PutEvents',
      ['a', 'b', 'c', 'd'],
      async (entries) => {
        calls.push([...entries]);
        return outcomes.shift() ?? [];
      },
      (entry) => entry,
      noWait,
    );
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['b', 'd'], ['b']]);
  });

  it('backs off between attempts, doubling', async () => {
    const waits: number[] = [];
    const failing: EntryFailure[] = [{ index: 0, code: 'ThrottlingException', message: '', retryable: true }];
    let left = 2;
    await sendRetryingFailed(
      'x',
      ['a'],
      async () => (left-- > 0 ? failing : []),
      (entry) => entry,
      { baseDelayMs: 50, sleep: async (ms) => void waits.push(ms) },
    );
    expect(waits).toEqual([50, 100]);
  });

  it('gives up after the last attempt, naming what failed', async () => {
    const send = jest.fn(async () => [{ index: 0, code: 'ThrottlingException', message: 'rate exceeded', retryable: true }]);
    await expect(
      sendRetryingFailed('PutEvents to stitch', ['event 1'], send, (entry) => entry, { ...noWait, attempts: 3 }),
    ).rejects.toThrow('PutEvents to stitch: 1 of 1 entries failed after 3 attempts: event 1: ThrottlingException rate exceeded');
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('does not retry what cannot succeed', async () => {
    const send = jest.fn(async () => [{ index: 1, code: 'MalformedDetail', message: 'Detail is malformed.', retryable: false }]);
    await expect(sendRetryingFailed('PutEvents', ['a', 'b'], send, (entry) => `event ${entry}`, noWait)).rejects.toThrow(
      'PutEvents: 1 of 2 entries failed: event b: MalformedDetail Detail is malformed.',
    );
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('tells PutEvents codes worth retrying from the rest', () => {
    expect(eventFailureRetryable('ThrottlingException')).toBe(true);
    expect(eventFailureRetryable('InternalFailure')).toBe(true);
    expect(eventFailureRetryable('MalformedDetail')).toBe(false);
    expect(eventFailureRetryable('AccessDeniedException')).toBe(false);
  });
});
