/**
 * A byte-bounded LRU index. Map iteration order is insertion order, so re-inserting on
 * access keeps the least recently used entry first. `onEvict` runs for every entry pushed
 * out by the bound (not for explicit deletes).
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(
    private readonly limit: number,
    private readonly onEvict: (key: string, value: V, size: number) => void = () => {},
  ) {}

  /** Bytes held. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The value, marked most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Inserts or replaces; an entry larger than the whole bound is not kept (returns false). */
  set(key: string, value: V, size: number): boolean {
    this.delete(key);
    if (size > this.limit) return false;
    this.entries.set(key, { value, size });
    this.total += size;
    this.evict();
    return this.entries.has(key);
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.total -= entry.size;
    return true;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Every key and value, least recently used first. */
  *all(): Generator<[string, V]> {
    for (const [key, entry] of this.entries) yield [key, entry.value];
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.total <= this.limit) break;
      this.entries.delete(key);
      this.total -= entry.size;
      this.onEvict(key, entry.value, entry.size);
    }
  }
}
