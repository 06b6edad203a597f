/**
 * Gathers what is added during one turn of the event loop and hands it to `flush` together once the turn has ended:
 * the commits, or the sends, that finish at the same moment share one round trip. `track` is given each flush, so
 * that a caller can wait for those in flight.
 */
export class TurnBatch<T> {
  private items: T[] = [];

  constructor(
    private readonly flush: (items: readonly T[]) => Promise<void>,
    private readonly track: (flushed: Promise<void>) => void,
  ) {}

  add(items: readonly T[]): void {
    if (items.length === 0) return;
    const firstOfTurn = this.items.length === 0;
    this.items.push(...items);
    if (!firstOfTurn) return;
    const turnEnded = new Promise<void>((resolve) => setImmediate(resolve));
    this.track(
      turnEnded.then(() => {
        const batch = this.items;
        this.items = [];
        return this.flush(batch);
      }),
    );
  }
}
