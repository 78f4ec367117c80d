import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { block } from './data.js';
import type { DriverResult } from './spec.js';
import { epochMs, nowMs } from './timing.js';

/** Writes `size` bytes in `blockSize` writes to a new file; with `fsync`, the time includes it. */
export function seqWrite(path: string, size: number, blockSize: number, fsync: boolean): DriverResult {
  const buffers = [block(blockSize, 1), block(blockSize, 2)];
  const startedAtMs = epochMs();
  const t0 = nowMs();
  const fd = openSync(path, 'w');
  let written = 0;
  for (let i = 0; written < size; i++) {
    const buf = buffers[i % 2]!;
    // Stamp the block number so that no two blocks are equal.
    buf.writeBigUInt64LE(BigInt(i), 0);
    const n = Math.min(blockSize, size - written);
    written += writeSync(fd, buf, 0, n, written);
  }
  const app = nowMs();
  if (fsync) fsyncSync(fd);
  closeSync(fd);
  const t1 = nowMs();
  return { startedAtMs, seconds: (t1 - t0) / 1000, appSeconds: (app - t0) / 1000, bytes: written, ops: Math.ceil(size / blockSize) };
}

/** Reads the whole file in `blockSize` reads. */
export function seqRead(path: string, blockSize: number): DriverResult {
  const buf = Buffer.allocUnsafe(blockSize);
  const startedAtMs = epochMs();
  const t0 = nowMs();
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  let done = 0;
  let ops = 0;
  while (done < size) {
    const n = readSync(fd, buf, 0, blockSize, done);
    if (n === 0) throw new Error(`short read of ${path}: ${done} of ${size} bytes`);
    done += n;
    ops++;
  }
  closeSync(fd);
  const seconds = (nowMs() - t0) / 1000;
  return { startedAtMs, seconds, appSeconds: seconds, bytes: done, ops };
}
