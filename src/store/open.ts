import { redactEndpoint } from './endpoint.js';
import { FileStore } from './file.js';
import { MemStore } from './mem.js';
import { withRetry } from './retry.js';
import type { ObjectStore, StoreOptions } from './types.js';
import { formatStoreUrl, parseStoreUrl } from './url.js';

/**
 * Opens the store a URL names: `file:///abs/dir`, `s3://bucket[/prefix]` or `mem://`.
 * File and S3 stores come wrapped in the retry wrapper (the one place retries happen);
 * a memory store never fails transiently, so it is returned bare.
 * Throws `UsageError` for a malformed URL or unusable options.
 */
export async function openStore(url: string, opts: StoreOptions = {}): Promise<ObjectStore> {
  const parsed = parseStoreUrl(url);
  switch (parsed.scheme) {
    case 'mem':
      return new MemStore();
    case 'file':
      return withRetry(new FileStore(parsed.dir), opts.retry);
    case 's3': {
      // The AWS SDK takes about a second to load; file and memory stores never pay it.
      const { createS3Store } = await import('./s3.js');
      return withRetry(await createS3Store({ ...opts, bucket: parsed.bucket, prefix: parsed.prefix }), opts.retry);
    }
  }
}

/** A printable description of a store URL with its endpoint, for messages. Never holds credentials. */
export function describeStore(url: string, opts: StoreOptions = {}): string {
  const parsed = parseStoreUrl(url);
  const name = formatStoreUrl(parsed);
  return parsed.scheme === 's3' && opts.endpoint ? `${name} at ${redactEndpoint(opts.endpoint)}` : name;
}

/** Proves that a store is usable (see `ObjectStore.checkAccess`); a no-op for stores without the check. */
export async function checkAccess(store: ObjectStore): Promise<void> {
  await store.checkAccess?.();
}
