import { randomBytes } from 'node:crypto';

/*
 * Benchmark data is random: an all-zero chunk is stored as a hole (no object), and a
 * repeated pattern would flatter any store that compresses. Each block also carries its
 * index, so no two blocks of a file are equal.
 */
const pool = randomBytes(4 * 2 ** 20);

/** A block of `size` bytes (at most 4 MiB) for block number `index`. */
export function block(size: number, index: number): Buffer {
  const start = (index * 4099) % (pool.length - size + 1);
  const out = Buffer.from(pool.subarray(start, start + size));
  if (size >= 8) out.writeBigUInt64LE(BigInt(index), 0);
  else if (size > 0) out[0] = (index % 255) + 1;
  return out;
}
