import { TurnBatch } from './turn-batch';

const turnEnded = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  function batchOf() {
    const flushes: number[][] = [];
    const tracked: Promise<void>[] = [];
    const batch = new TurnBatch<number>(
      async (items) => {
        flushes.push([...items]);
      },
      (flushed) => tracked.push(flushed),
    );
    return { batch, flushes, tracked };
  }

  it('hands what was added in one turn to a single flush once the turn has ended', async () => {
    const { batch, flushes, tracked } = batchOf();
    batch.add([1, 2]);
    batch.add([3]);
    expect(flushes).toEqual([]);
    await Promise.all(tracked);
    expect(flushes).toEqual([[1, 2, 3]]);
    expect(tracked).toHaveLength(1);
  });

  it('starts a new flush for what is added in a later turn', async () => {
    const { batch, flushes, tracked } = batchOf();
    batch.add([1]);
    await turnEnded();
    batch.add([2]);
    await Promise.all(tracked);
    expect(flushes).toEqual([[1], [2]]);
  });

  it('flushes nothing for an empty add', async () => {
    const { batch, flushes, tracked } = batchOf();
    batch.add([]);
    await turnEnded();
    expect(flushes).toEqual([]);
    expect(tracked).toHaveLength(0);
  });
});
