import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeComponent, encodeComponent, isInternalName } from './file-keys.js';

/** One object found by a walk: its key and its path. */
export interface WalkEntry {
  key: string;
  path: string;
}

const cmp = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The files under `root` whose keys start with `prefix` and sort after `after`, in ascending
 * byte order of key. A directory `d` holds exactly the keys starting with `d/`, so the walk
 * orders a directory's entries by name (+ '/' for directories) and skips whole subtrees that
 * lie before `after` or outside `prefix`.
 */
export async function* walkKeys(root: string, prefix: string, after?: string): AsyncGenerator<WalkEntry> {
  // Start in the deepest directory that the prefix names entirely.
  const cut = prefix.lastIndexOf('/');
  const base = cut < 0 ? '' : prefix.slice(0, cut + 1);
  if (base.split('/').slice(0, -1).some((c) => c === '' || c === '.' || c === '..')) return;
  yield* walkDir(join(root, ...base.split('/').filter((c) => c !== '').map(encodeComponent)), base, prefix, after);
}

async function* walkDir(dir: string, dirKey: string, prefix: string, after?: string): AsyncGenerator<WalkEntry> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return; // nothing stored there (or deleted meanwhile)
    throw err;
  }
  const named = entries
    .filter((e) => !isInternalName(e.name) && (e.isFile() || e.isDirectory()))
    .map((e) => ({ e, key: dirKey + decodeComponent(e.name) + (e.isDirectory() ? '/' : '') }))
    .sort((a, b) => cmp(a.key, b.key));
  for (const { e, key } of named) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      const overlapsPrefix = key.startsWith(prefix) || prefix.startsWith(key);
      const beforeAfter = after !== undefined && !after.startsWith(key) && cmp(key, after) < 0;
      if (overlapsPrefix && !beforeAfter) yield* walkDir(path, key, prefix, after);
    } else if (key.startsWith(prefix) && (after === undefined || cmp(key, after) > 0)) {
      yield { key, path };
    }
  }
}
