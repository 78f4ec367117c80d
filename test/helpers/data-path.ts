import { randomBytes } from 'node:crypto';
import { openFileData } from '../../src/chunker/file-data.js';
import type { FileData, FileDataOptions } from '../../src/chunker/types.js';
import { MemStore } from '../../src/store/mem.js';
import { MemChunkMap } from './chunkmap.js';
import { StoreSpy } from './store-spy.js';
import { tempDir } from './tmp.js';

export interface DataPath {
  fd: FileData;
  /** The counting/failing wrapper the FileData uses. */
  store: StoreSpy;
  /** The store underneath (to corrupt objects behind the data path's back). */
  mem: MemStore;
  map: MemChunkMap;
  cacheDir: string;
  opts: FileDataOptions;
}

/**
 * A FileData over a MemStore and a MemChunkMap, with a fresh cache dir (removed after the
 * test file). Small chunks keep tests fast; pass overrides as needed.
 */
export async function openDataPath(overrides: Partial<FileDataOptions> & { mem?: MemStore; map?: MemChunkMap } = {}): Promise<DataPath> {
  const { mem = new MemStore(), map = new MemChunkMap(), ...rest } = overrides;
  const store = new StoreSpy(mem);
  const opts: FileDataOptions = { chunkSize: 64 * 1024, cacheDir: tempDir('chunkfs-data'), readahead: 0, ...rest };
  const fd = await openFileData(store, map, opts);
  return { fd, store, mem, map, cacheDir: opts.cacheDir, opts };
}

/** Random test bytes (incompressible, never all zeros in practice). */
export function bytes(n: number): Buffer {
  return randomBytes(n);
}
