/** Compared against slice by slice: Buffer.equals is a memcmp, far faster than a byte loop. */
const ZERO_SLICE = Buffer.alloc(64 * 1024);

/** True when every byte of `data` is zero (an empty buffer is all zeros). */
export function isAllZero(data: Uint8Array): boolean {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let pos = 0; pos < buf.length; pos += ZERO_SLICE.length) {
    const end = Math.min(buf.length, pos + ZERO_SLICE.length);
    const slice = buf.subarray(pos, end);
    if (!slice.equals(end - pos === ZERO_SLICE.length ? ZERO_SLICE : ZERO_SLICE.subarray(0, end - pos))) return false;
  }
  return true;
}
