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
  return xxh64Raw(data).toString(16).padStart(16, '0');
}

/** xxh64 (seed 0) of `data` as a number; `initChecksum()` must have resolved first. */
export function xxh64Raw(data: Uint8Array): bigint {
  if (!hasher) throw new Error('xxh64 called before initChecksum()');
  return hasher.h64Raw(data);
}

/** Hashed between turns of the event loop: about 0.15 ms of work each. */
const SLICE = 256 * 1024;

/**
 * `xxh64Hex` a slice at a time, letting the event loop turn in between. A 4 MiB chunk
 * takes about 2 ms to hash in one go, and every FUSE request that arrives meanwhile
 * (each one a waiting reader or writer) would wait that long.
 */
export async function xxh64HexYielding(data: Uint8Array): Promise<string> {
  if (!hasher) throw new Error('xxh64HexYielding called before initChecksum()');
  if (data.byteLength <= SLICE) return xxh64Hex(data);
  const state = hasher.create64();
  for (let pos = 0; pos < data.byteLength; pos += SLICE) {
    if (pos > 0) await nextTurn();
    state.update(data.subarray(pos, pos + SLICE));
  }
  return state.digest().toString(16).padStart(16, '0');
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
