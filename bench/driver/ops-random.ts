import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { DriverResult } from './spec.js';
import { Latencies, epochMs, nowMs } from './timing.js';

/**
 * Aligned random reads or writes of `blockSize` bytes for `seconds` (one at a time, as
 * fio's psync engine with iodepth 1 does); writes are followed by an fsync when `flush`.
 * Offsets come from a fixed-seed generator, so every system sees the same sequence.
 */
export function randomIo(path: string, mode: 'read' | 'write', seconds: number, blockSize: number, flush: boolean): DriverResult {
  const fd = openSync(path, mode === 'read' ? 'r' : 'r+');
  const blocks = Math.floor(fstatSync(fd).size / blockSize);
  if (blocks < 1) throw new Error(`${path} is smaller than one ${blockSize}-byte block`);
  const buf = mode === 'read' ? Buffer.allocUnsafe(blockSize) : randomBytes(blockSize);
  const lat = new Latencies(1 << 16);
  let seed = 0x9e3779b9;
  const next = (): number => {
    // xorshift32: cheap and the same on every run.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % blocks;
  };
  const startedAtMs = epochMs();
  const t0 = nowMs();
  const end = t0 + seconds * 1000;
  let ops = 0;
  while (nowMs() < end) {
    const off = next() * blockSize;
    const s = nowMs();
    if (mode === 'read') readSync(fd, buf, 0, blockSize, off);
    else {
      buf.writeUInt32LE(ops, 0);
      writeSync(fd, buf, 0, blockSize, off);
    }
    lat.add(nowMs() - s);
    ops++;
  }
  const app = nowMs();
  if (mode === 'write' && flush) fsyncSync(fd);
  closeSync(fd);
  const t1 = nowMs();
  return {
    startedAtMs,
    seconds: (t1 - t0) / 1000,
    appSeconds: (app - t0) / 1000,
    bytes: ops * blockSize,
    ops,
    p50Ms: lat.percentile(50),
    p99Ms: lat.percentile(99),
  };
}
