import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { parseDuration, splitOptionList } from '../fuse/options.js';
import type { StoreOptions } from '../store/types.js';
import { defaultLocalDir } from './locations.js';
import { mergeStoreFlags, parseStoreOptionList, type StoreFlags } from './store-options.js';

/** What fsck and gc share on the command line: the store, the local dir, the grace period. */
export interface LocalFlags extends StoreFlags {
  cacheDir?: string;
  grace?: string;
}

export interface ParsedLocal {
  localDir: string;
  graceMs?: number;
  storeOptions: StoreOptions;
}

/**
 * Splits `-o` into `cache_dir=DIR` (the local dir, as the mount takes it) and store
 * options; `--cache-dir` wins over `-o cache_dir`. UsageError for anything else.
 */
export function parseLocalFlags(flags: LocalFlags): ParsedLocal {
  let cacheDir = flags.cacheDir;
  const rest: string[] = [];
  for (const item of splitOptionList(flags.o ?? [])) {
    if (item.startsWith('cache_dir=')) cacheDir ??= item.slice('cache_dir='.length);
    else rest.push(item.replace(/,/g, '\\,'));
  }
  if (cacheDir === '') throw new UsageError('cache_dir needs a directory');
  const storeOptions = mergeStoreFlags(parseStoreOptionList(rest), flags);
  const graceMs = flags.grace === undefined ? undefined : parseDuration(flags.grace, '--grace');
  return { localDir: resolve(cacheDir ?? defaultLocalDir()), graceMs, storeOptions };
}
