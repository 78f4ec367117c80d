import { isProcessAlive } from '../proc.js';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mountpointSlug, runtimeDir } from './locations.js';

/** What a mount tells `status` and `umount`, rewritten every second and on SIGUSR1. */
export interface RuntimeRecord {
  pid: number;
  mountpoint: string;
  store: string;
  uuid: string;
  chunkSize: number;
  readOnly: boolean;
  writeback: boolean;
  logFile?: string;
  stateDir: string;
  startedMs: number;
  updatedMs: number;
  /** `running` while mounted; `stopped` once the filesystem is closed (with the exit code). */
  state: 'running' | 'stopped';
  exitCode?: number;
  /** Data path: dirty bytes waiting, what was uploaded since the mount. */
  data: { dirtyBytes: number; uploadedObjects: number; uploadedBytes: number };
  /** Namespace totals when the vfs can tell them. */
  usage?: { files: number; bytes: number; objects: number; objectBytes: number };
  /** What the kernel sent: the write sizes show that 128 KiB writes are in effect. */
  fuse: { ops: number; errors: number; reads: number; readBytes: number; writes: number; writeBytes: number; largestWrite: number; timing?: Record<string, { count: number; ms: number }> };
  lease?: { host: string; pid: number; sinceMs: number; expiresMs: number };
  lastSnapshot?: { seq: number; atMs: number };
}

export const recordPath = (mountpoint: string, dir = runtimeDir()): string => join(dir, `${mountpointSlug(mountpoint)}.json`);

/** Writes the record atomically (a reader never sees half of it). */
export function writeRecord(rec: RuntimeRecord, dir = runtimeDir()): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const path = recordPath(rec.mountpoint, dir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec, null, 2) + '\n');
  renameSync(tmp, path);
}

/**
 * `writeRecord` without blocking the event loop: a rename on a busy disk can stall for tens
 * of milliseconds, and the daemon's event loop also answers every FUSE operation.
 * Callers must not run two at once (they share the temp name).
 */
export async function writeRecordAsync(rec: RuntimeRecord, dir = runtimeDir()): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const path = recordPath(rec.mountpoint, dir);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(rec, null, 2) + '\n');
  await rename(tmp, path);
}

export function readRecord(mountpoint: string, dir = runtimeDir()): RuntimeRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(mountpoint, dir), 'utf8')) as RuntimeRecord;
  } catch {
    return undefined;
  }
}

export function removeRecord(mountpoint: string, dir = runtimeDir()): void {
  rmSync(recordPath(mountpoint, dir), { force: true });
}

/** Every record in the runtime dir (for `status STORE`: is it mounted here?). */
export function allRecords(dir = runtimeDir()): RuntimeRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: RuntimeRecord[] = [];
  for (const n of names) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, n), 'utf8')) as RuntimeRecord);
    } catch {
      /* a record being replaced or damaged: skip it */
    }
  }
  return out;
}

/** True while `pid` runs (a zombie counts as gone). */
export const isAlive = isProcessAlive;
