import { closeSync, fdatasync, mkdirSync, openSync, readdirSync, unlinkSync, write, writeSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fsyncDir } from '../fs-sync.js';
import { lastSegment, readJournal, segmentName } from './journal-read.js';
import { KIND_CHUNK, KIND_REMOVAL, RECORD_HEADER, readSegment, recordHeader, recordSize } from './journal-record.js';

const LIMITS = {
  /** A segment is retired (no longer written) once it would grow past this. */
  segmentBytes: 16 * 1024 * 1024,
  /**
   * Past this many segments, the entries still living in the oldest are copied forward, so
   * that one chunk that cannot be uploaded does not keep every segment after it on disk.
   */
  maxSegments: 8,
};
/**
 * Records up to this size are written with one blocking call: a write into the page cache
 * takes microseconds, while the thread pool it would otherwise queue in is busy with the
 * uploads (measured: a 4 KiB close took 1.3 ms that way).
 */
const SMALL_RECORD = 256 * 1024;
/** The version of an entry found by `scan()`: older than any written since open. */
const FOUND = -1;
const ZEROS = Buffer.alloc(8);
const EMPTY = Buffer.alloc(0);
const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);

export interface JournalEntry {
  ino: number;
  idx: number;
  data: Buffer;
}

interface Segment {
  seq: number;
  path: string;
  /** Open while the segment may be written or synced; null for one found by `scan()`. */
  fd: number | null;
  /** Bytes handed out to records so far. */
  size: number;
  /** Entries whose newest record is here. */
  live: number;
  /** Writes and syncs running on its fd. */
  busy: number;
  unsynced: boolean;
}

interface Entry {
  version: number;
  /** Its record's segment and offset, and the length of its data. */
  segment: Segment | null;
  offset: number;
  length: number;
  /** A file of the earlier one-file-per-entry format, found by `scan()`. */
  legacyPath: string | null;
}

/**
 * The writeback journal (DESIGN invariant 4): dirty chunks acknowledged by a writeback
 * close, appended as checksummed records to segment files (journal-record.ts). A record of
 * (ino, idx) replaces the one before it; a removal record cancels it. Appending costs one
 * write(2) into the page cache, where a file per entry cost a create, a rename and an
 * unlink, and a create on a busy ext4 directory took over a millisecond.
 *
 * A segment is deleted once no entry lives in it and every older segment is gone: a removal
 * record must outlive the record it cancels. When segments pile up behind an entry that is
 * not committed, the entries living in the oldest are copied forward. A daemon crash leaves every write that
 * returned (the page cache outlives the process); the checksums catch what a power cut
 * tears. Operations on one (ino, idx) run in order, and an entry is removed only when the
 * version committed is at least the version it holds, so a newer journaled write is never
 * lost to an older commit.
 *
 * Nothing here waits for the disk: close(2) in writeback mode is as durable as close(2) on
 * a local filesystem, and fsync(2) is what survives a power cut (it uploads). `sync()`
 * makes the removals durable; the metadata is synced only after it, so a synced truncate
 * or unlink can never meet, after a power cut, an entry it removed.
 */
export class Journal {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly entries = new Map<string, Entry>();
  /** Oldest first; `active` is the last one when set. */
  private readonly segments: Segment[] = [];
  private active: Segment | null = null;
  private nextSeq: number;
  /** True when segments were created or deleted since the last sync. */
  private namesUnsynced = false;
  private compacting = false;
  private readonly limits: typeof LIMITS;

  constructor(
    private readonly dir: string,
    limits: Partial<typeof LIMITS> = {},
  ) {
    this.limits = { ...LIMITS, ...limits };
    mkdirSync(dir, { recursive: true });
    this.nextSeq = lastSegment(readdirSync(dir)) + 1;
  }

  /** Stores version `version` of chunk (ino, idx) (in the page cache: see the class note). */
  write(ino: number, idx: number, version: number, data: Buffer): Promise<void> {
    return this.chain(ino, idx, async (k) => {
      const current = this.entries.get(k);
      if (current && current.version >= version) return;
      const { segment, offset } = await this.append(KIND_CHUNK, ino, idx, data);
      this.replace(k, { version, segment, offset, length: data.length, legacyPath: null });
    });
  }

  /** Removes the entry of (ino, idx) if it holds `upToVersion` or older (Infinity: any). */
  remove(ino: number, idx: number, upToVersion: number): Promise<void> {
    return this.chain(ino, idx, async (k) => {
      const current = this.entries.get(k);
      if (!current || current.version === FOUND || current.version > upToVersion) return;
      await this.cancel(k, ino, idx);
    });
  }

  /** True when (ino, idx) has an entry written since open. */
  has(ino: number, idx: number): boolean {
    const entry = this.entries.get(key(ino, idx));
    return entry !== undefined && entry.version !== FOUND;
  }

  /**
   * Every entry left by an earlier run that passed its checks. What failed them is logged,
   * one line each, and left in place: its segment goes when nothing in it lives.
   */
  async scan(): Promise<{ entries: JournalEntry[]; discarded: number }> {
    const found = await readJournal(this.dir);
    for (const problem of found.problems) console.error(`chunkfs: discarding journal record ${problem}`);
    for (const path of found.deadFiles) await removeFile(path);
    if (found.deadFiles.length) this.namesUnsynced = true;
    const bySeq = new Map<number, Segment>();
    for (const s of found.segments) {
      if (this.segments.some((known) => known.seq === s.seq)) continue;
      const segment: Segment = { ...s, fd: null, live: 0, busy: 0, unsynced: false };
      bySeq.set(s.seq, segment);
      this.segments.push(segment);
    }
    this.segments.sort((a, b) => a.seq - b.seq);
    for (const e of found.entries) {
      const segment = e.segment ? (bySeq.get(e.segment.seq) ?? null) : null;
      if (e.segment && !segment) continue; // a segment known already: written since open or scanned before
      if (this.entries.has(key(e.ino, e.idx))) continue; // replaced since open
      this.replace(key(e.ino, e.idx), { version: FOUND, segment, offset: e.offset, length: e.data.length, legacyPath: e.legacyPath });
    }
    this.collect();
    return { entries: found.entries.map(({ ino, idx, data }) => ({ ino, idx, data })), discarded: found.problems.length };
  }

  /** Removes an entry found by `scan()` once it is committed. */
  removeRecovered(ino: number, idx: number): Promise<void> {
    return this.chain(ino, idx, async (k) => {
      if (this.entries.has(k)) await this.cancel(k, ino, idx);
    });
  }

  /** Makes every removal so far durable (and every segment created or deleted). */
  async sync(): Promise<void> {
    const segments = this.segments.filter((s) => s.unsynced && s.fd !== null);
    const names = this.namesUnsynced;
    for (const s of segments) {
      s.unsynced = false;
      s.busy++;
    }
    this.namesUnsynced = false;
    try {
      await Promise.all(segments.map((s) => fdatasyncAsync(s.fd as number)));
      if (names) await fsyncDir(this.dir);
    } catch (err) {
      for (const s of segments) s.unsynced = true;
      this.namesUnsynced ||= names;
      throw err;
    } finally {
      for (const s of segments) s.busy--;
      this.collect();
    }
  }

  /** Resolves when every queued journal operation has finished. */
  async settled(): Promise<void> {
    while (this.chains.size) await Promise.allSettled([...this.chains.values()]);
  }

  /** Waits for queued operations, then deletes the segments nothing lives in and closes the rest. */
  async close(): Promise<void> {
    await this.settled();
    this.active = null;
    this.collect();
    for (const s of this.segments) {
      if (s.fd !== null && s.busy === 0) {
        closeSync(s.fd);
        s.fd = null;
      }
    }
  }

  private chain(ino: number, idx: number, op: (k: string) => Promise<void>): Promise<void> {
    const k = key(ino, idx);
    const prev = this.chains.get(k) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(() => op(k));
    this.chains.set(k, next);
    void next.catch(() => {}).finally(() => {
      if (this.chains.get(k) === next) this.chains.delete(k);
    });
    return next;
  }

  /** Appends a record, and resolves with where it is once the bytes are written. */
  private async append(kind: typeof KIND_CHUNK | typeof KIND_REMOVAL, ino: number, idx: number, data: Buffer): Promise<{ segment: Segment; offset: number }> {
    const size = recordSize(data.length);
    const segment = this.segmentFor(size);
    const fd = segment.fd as number;
    const offset = segment.size;
    segment.size += size;
    segment.busy++;
    try {
      const header = recordHeader(kind, ino, idx, data);
      const pad = ZEROS.subarray(0, size - RECORD_HEADER - data.length);
      if (data.length <= SMALL_RECORD) {
        writeAllSync(fd, Buffer.concat([header, data, pad]), offset);
      } else {
        // The reserved region stays a hole until these land; later records do not wait.
        await writeAll(fd, header, offset);
        await writeAll(fd, data, offset + RECORD_HEADER);
        await writeAll(fd, pad, offset + RECORD_HEADER + data.length);
      }
      segment.unsynced = true;
      return { segment, offset };
    } finally {
      segment.busy--;
    }
  }

  /** The segment a record of `size` bytes goes to: the active one, or a new one. */
  private segmentFor(size: number): Segment {
    const active = this.active;
    if (active && (active.size === 0 || active.size + size <= this.limits.segmentBytes)) return active;
    const seq = this.nextSeq++;
    const path = join(this.dir, segmentName(seq));
    const segment: Segment = { seq, path, fd: openSync(path, 'wx'), size: 0, live: 0, busy: 0, unsynced: false };
    this.segments.push(segment);
    this.active = segment;
    this.namesUnsynced = true;
    this.collect();
    this.compactOldest();
    return segment;
  }

  /** Copies the entries still living in the oldest segment forward, when there are too many segments. */
  private compactOldest(): void {
    const oldest = this.segments[0];
    if (this.compacting || this.segments.length <= this.limits.maxSegments || oldest === this.active) return;
    this.compacting = true;
    const moves: Promise<void>[] = [];
    for (const [k, entry] of this.entries) {
      if (entry.segment !== oldest) continue;
      const [ino, idx] = k.split('-').map(Number) as [number, number];
      moves.push(this.chain(ino, idx, () => this.moveForward(k, ino, idx, oldest)));
    }
    void Promise.allSettled(moves).then(() => {
      this.compacting = false;
    });
  }

  private async moveForward(k: string, ino: number, idx: number, from: Segment): Promise<void> {
    const entry = this.entries.get(k);
    if (!entry || entry.segment !== from) return; // replaced or removed meanwhile
    const data = await readRecord(from.path, entry.offset, entry.length);
    if (!data) {
      console.error(`chunkfs: journal record ino=${ino} idx=${idx} in ${from.path} no longer reads back whole; left in place`);
      return;
    }
    const { segment, offset } = await this.append(KIND_CHUNK, ino, idx, data);
    this.replace(k, { ...entry, segment, offset });
  }

  private async cancel(k: string, ino: number, idx: number): Promise<void> {
    const entry = this.entries.get(k) as Entry;
    if (entry.segment) await this.append(KIND_REMOVAL, ino, idx, EMPTY);
    this.entries.delete(k);
    this.release(entry);
  }

  private replace(k: string, entry: Entry): void {
    const before = this.entries.get(k);
    this.entries.set(k, entry);
    if (entry.segment) entry.segment.live++;
    if (before) this.release(before);
  }

  private release(entry: Entry): void {
    if (entry.legacyPath) {
      // Its own file: nothing older can come back when it goes.
      try {
        unlinkSync(entry.legacyPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      this.namesUnsynced = true;
    }
    if (entry.segment) {
      entry.segment.live--;
      this.collect();
    }
  }

  /** Deletes segments from the oldest while nothing lives in them and nobody writes them. */
  private collect(): void {
    for (let oldest = this.segments[0]; oldest; oldest = this.segments[0]) {
      if (oldest === this.active || oldest.live > 0 || oldest.busy > 0) return;
      this.segments.shift();
      if (oldest.fd !== null) closeSync(oldest.fd);
      unlinkSync(oldest.path);
      this.namesUnsynced = true;
    }
  }
}

/** The data of the record at `offset` in the segment at `path`, or null when it fails its checks. */
async function readRecord(path: string, offset: number, length: number): Promise<Buffer | null> {
  const bytes = Buffer.alloc(recordSize(length));
  const fh = await open(path, 'r');
  try {
    await fh.read(bytes, 0, bytes.length, offset);
  } finally {
    await fh.close();
  }
  const { records } = readSegment(bytes);
  return records.length === 1 && records[0].kind === KIND_CHUNK ? records[0].data : null;
}

function writeAllSync(fd: number, data: Buffer, position: number): void {
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at, position + at);
}

async function writeAll(fd: number, data: Buffer, position: number): Promise<void> {
  for (let at = 0; at < data.length; ) at += (await writeAsync(fd, data, at, data.length - at, position + at)).bytesWritten;
}

async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function key(ino: number, idx: number): string {
  return `${ino}-${idx}`;
}
