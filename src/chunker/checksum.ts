import xxhash from 'xxhash-wasm';

type Hasher = Awaited<ReturnType<typeof xxhash>>;

let hasher: Hasher | null = null;
let loading: Promise<Hasher> | null = null;

/** Loads the wasm hasher once per process; every other call returns the same instance. */
export async function initChecksum(): Promise<void> {
  if (hasher) return;
  loading ??= xxhash();
  hasher = await loading;
}

/**
 * xxh64 (seed 0) of `data` as 16 lowercase hex digits. `initChecksum()` must have
 * resolved first (FileData does it on open), so that the hot path stays synchronous.
 */
export function xxh64Hex(data: Uint8Array): string {
  if (!hasher) throw new Error('xxh64Hex called before initChecksum()');
  return hasher.h64Raw(data).toString(16).padStart(16, '0');
}
