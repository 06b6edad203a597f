/**
 * A map that forgets its oldest entries beyond a capacity (a Map keeps insertion order). It is memory for
 * pushes, which are ephemeral anyway: a browser that was not connected never gets them, and after a restart
 * everything is forgotten. A repeat arriving after its entry was forgotten would be pushed again; with
 * thousands of entries that takes a redelivery much later than any transport makes one.
 */
export class Recent<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (capacity < 1) throw new Error('capacity must be at least 1');
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    // Re-inserting moves the key to the young end, so what is still in use is what stays.
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
