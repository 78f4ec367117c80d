/**
 * A byte-bounded LRU index. Map iteration order is insertion order, so re-inserting on
 * access keeps the least recently used entry first. Entries demoted (a sequential reader
 * has passed them) are kept apart and go first, oldest demotion first, before any other.
 * `onEvict` runs for every entry pushed out by the bound (not for explicit deletes).
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; size: number }>();
  private readonly demoted = new Map<string, { value: V; size: number }>();
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
    return this.entries.size + this.demoted.size;
  }

  has(key: string): boolean {
    return this.entries.has(key) || this.demoted.has(key);
  }

  /**
   * The value, marked most recently used unless demoted (a demoted entry stays among the
   * first to go: the reads of a stream arrive slightly out of order); undefined when absent.
   */
  get(key: string): V | undefined {
    const demoted = this.demoted.get(key);
    if (demoted) return demoted.value;
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

  /** Makes the entry one of the first to go, until it is set again. */
  demote(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.demoted.set(key, entry);
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key) ?? this.demoted.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.demoted.delete(key);
    this.total -= entry.size;
    return true;
  }

  /** Every key and value, first to go first. */
  *all(): Generator<[string, V]> {
    for (const [key, entry] of this.demoted) yield [key, entry.value];
    for (const [key, entry] of this.entries) yield [key, entry.value];
  }

  private evict(): void {
    for (const tier of [this.demoted, this.entries]) {
      for (const [key, entry] of tier) {
        if (this.total <= this.limit) return;
        tier.delete(key);
        this.total -= entry.size;
        this.onEvict(key, entry.value, entry.size);
      }
    }
  }
}
