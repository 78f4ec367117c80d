/**
 * One async lock per key: `run(key, fn)` runs `fn` after every earlier `run` of the same
 * key has settled. The vfs serialises writes and truncates of one inode with it, so the
 * in-memory size and the chunk layer never see them interleaved.
 */
export class KeyedMutex<K> {
  private readonly tails = new Map<K, Promise<unknown>>();

  async run<T>(key: K, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
