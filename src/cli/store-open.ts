import type { ObjectStore, StoreOptions } from '../store/types.js';

/**
 * `openStore`, loaded on first use: the AWS SDK takes about a second to load, which
 * `--help` and every usage error should not pay.
 */
export async function openStore(url: string, opts: StoreOptions = {}): Promise<ObjectStore> {
  const m = await import('../store/open.js');
  return m.openStore(url, opts);
}
