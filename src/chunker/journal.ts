import { closeSync, fdatasync, mkdirSync, openSync, readdirSync, rmSync, unlinkSync, write, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fsyncDir } from '../fs-sync.js';
import { cancelsName, lastSegment, readJournal, segmentName } from './journal-read.js';
import { cancelEntry, RECORD_HEADER, recordHeader, recordSize } from './journal-record.js';

/** A segment is retired (no longer written) once it would grow past this. */
const SEGMENT_BYTES = 16 * 1024 * 1024;
/**
 * Records up to this size are written with one blocking call: a write into the page cache
 * takes microseconds, while the thread pool it would otherwise queue in is busy with the
 * uploads (measured: a 4 KiB close took 1.3 ms that way).
 */
const SMALL_RECORD = 256 * 1024;
/** The version of an entry found by `scan()`: older than any written since open. */
const FOUND = -1;
const ZEROS = Buffer.alloc(8);
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
  /** Open while records may be written to it; null for one found by `scan()`. */
  fd: number | null;
  /** Bytes handed out to records so far. */
  size: number;
  /** Entries whose record is here. */
  live: number;
  /** Writes running on its fd, and syncs of its `.del` file. */
  busy: number;
  cancelsPath: string;
  /** Its `.del` file, opened at the first cancellation. */
  cancelsFd: number | null;
  cancelsUnsynced: boolean;
}

interface Entry {
  version: number;
  /** Its record's segment and offset. */
  segment: Segment | null;
  offset: number;
  /** A file of the earlier one-file-per-entry format, found by `scan()`. */
  legacyPath: string | null;
}

/**
 * The writeback journal (DESIGN invariant 4): dirty chunks acknowledged by a writeback
 * close, appended as checksummed records to segment files (journal-record.ts). Appending
 * costs one write(2) into the page cache, where a file per entry cost a create, a rename
 * and an unlink, and a create on a busy ext4 directory took over a millisecond.
 *
 * A record stops counting when its chunk is committed or a newer record replaces it: its
 * offset is then written to the segment's `.del` file. A segment goes once no record in it
 * counts, with its `.del` file. A daemon crash leaves every write that returned (the page
 * cache outlives the process); the checksums catch what a power cut tears. Operations on
 * one (ino, idx) run in order, and an entry is removed only when the version committed is
 * at least the version it holds, so a newer journaled write is never lost to an older commit.
 *
 * Nothing here waits for the disk: close(2) in writeback mode is as durable as close(2) on
 * a local filesystem, and fsync(2) is what survives a power cut (it uploads). `sync()`
 * makes the cancellations durable (a few bytes each, never the chunks' bytes); the metadata
 * is synced only after it, so a synced truncate or unlink can never meet, after a power
 * cut, an entry it removed.
 */
export class Journal {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly entries = new Map<string, Entry>();
  private readonly segments = new Set<Segment>();
  private active: Segment | null = null;
  private nextSeq: number;
  /** True when files were created or deleted since the last sync. */
  private namesUnsynced = false;

  constructor(
    private readonly dir: string,
    private readonly segmentBytes = SEGMENT_BYTES,
  ) {
    mkdirSync(dir, { recursive: true });
    this.nextSeq = lastSegment(readdirSync(dir)) + 1;
  }

  /** Stores version `version` of chunk (ino, idx) (in the page cache: see the class note). */
  write(ino: number, idx: number, version: number, data: Buffer): Promise<void> {
    return this.chain(ino, idx, async (k) => {
      const current = this.entries.get(k);
      if (current && current.version >= version) return;
      const { segment, offset } = await this.append(ino, idx, data);
      this.replace(k, { version, segment, offset, legacyPath: null });
    });
  }

  /** Removes the entry of (ino, idx) if it holds `upToVersion` or older (Infinity: any). */
  remove(ino: number, idx: number, upToVersion: number): Promise<void> {
    return this.chain(ino, idx, async (k) => {
      const current = this.entries.get(k);
      if (!current || current.version === FOUND || current.version > upToVersion) return;
      this.drop(k, current);
    });
  }

  /** True when (ino, idx) has an entry written since open. */
  has(ino: number, idx: number): boolean {
    const entry = this.entries.get(key(ino, idx));
    return entry !== undefined && entry.version !== FOUND;
  }

  /**
   * Every entry left by an earlier run that passed its checks. What failed them is logged,
   * one line each, and left in place: its segment goes when nothing in it counts.
   */
  async scan(): Promise<{ entries: JournalEntry[]; discarded: number }> {
    const found = await readJournal(this.dir);
    for (const problem of found.problems) console.error(`chunkfs: discarding journal record ${problem}`);
    for (const path of found.deadFiles) await rm(path, { force: true });
    if (found.deadFiles.length) this.namesUnsynced = true;
    const bySeq = new Map<number, Segment>();
    const known = new Set([...this.segments].map((s) => s.seq));
    for (const s of found.segments) {
      if (known.has(s.seq)) continue; // written since open, or scanned before
      const segment: Segment = { ...s, fd: null, live: 0, busy: 0, cancelsFd: null, cancelsUnsynced: false };
      bySeq.set(s.seq, segment);
      this.segments.add(segment);
    }
    for (const e of found.entries) {
      const segment = e.segment ? (bySeq.get(e.segment.seq) ?? null) : null;
      if (e.segment && !segment) continue; // in a segment known already
      if (segment) segment.live++;
      const entry: Entry = { version: FOUND, segment, offset: e.offset, legacyPath: e.legacyPath };
      if (this.entries.has(key(e.ino, e.idx))) this.release(entry); // replaced since open
      else this.replace(key(e.ino, e.idx), entry);
    }
    this.collect();
    return { entries: found.entries.map(({ ino, idx, data }) => ({ ino, idx, data })), discarded: found.problems.length };
  }

  /** Removes an entry found by `scan()` once it is committed (not one written since). */
  removeRecovered(ino: number, idx: number): Promise<void> {
    return this.chain(ino, idx, async (k) => {
      const current = this.entries.get(k);
      if (!current || current.version !== FOUND) return;
      this.drop(k, current);
    });
  }

  /** Makes every cancellation so far durable (and every file created or deleted). */
  async sync(): Promise<void> {
    const segments = [...this.segments].filter((s) => s.cancelsUnsynced && s.cancelsFd !== null);
    const names = this.namesUnsynced;
    for (const s of segments) {
      s.cancelsUnsynced = false;
      s.busy++;
    }
    this.namesUnsynced = false;
    try {
      await Promise.all(segments.map((s) => fdatasyncAsync(s.cancelsFd as number)));
      if (names) await fsyncDir(this.dir);
    } catch (err) {
      for (const s of segments) s.cancelsUnsynced = true;
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

  /** Waits for queued operations, then deletes the segments nothing counts in and closes the rest. */
  async close(): Promise<void> {
    await this.settled();
    this.active = null;
    this.collect();
    for (const s of this.segments) if (s.busy === 0) closeFiles(s);
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

  /**
   * Appends a record, and resolves with where it is once the bytes are written. The record
   * counts in its segment from the start (the caller takes it over), so that the segment
   * cannot go between the write and the caller's bookkeeping.
   */
  private async append(ino: number, idx: number, data: Buffer): Promise<{ segment: Segment; offset: number }> {
    const size = recordSize(data.length);
    const segment = this.segmentFor(size);
    const fd = segment.fd as number;
    const offset = segment.size;
    segment.size += size;
    segment.live++;
    segment.busy++;
    try {
      const header = recordHeader(ino, idx, data);
      const pad = ZEROS.subarray(0, size - RECORD_HEADER - data.length);
      if (data.length <= SMALL_RECORD) {
        writeAllSync(fd, Buffer.concat([header, data, pad]), offset);
      } else {
        // The reserved region stays a hole until these land; later records do not wait.
        await writeAll(fd, header, offset);
        await writeAll(fd, data, offset + RECORD_HEADER);
        await writeAll(fd, pad, offset + RECORD_HEADER + data.length);
      }
      return { segment, offset };
    } catch (err) {
      segment.live--;
      throw err;
    } finally {
      segment.busy--;
      if (segment.busy === 0) this.collect();
    }
  }

  /** The segment a record of `size` bytes goes to: the active one, or a new one. */
  private segmentFor(size: number): Segment {
    const active = this.active;
    if (active && (active.size === 0 || active.size + size <= this.segmentBytes)) return active;
    const seq = this.nextSeq++;
    const path = join(this.dir, segmentName(seq));
    const segment: Segment = {
      seq,
      path,
      fd: openSync(path, 'wx'),
      size: 0,
      live: 0,
      busy: 0,
      cancelsPath: join(this.dir, cancelsName(seq)),
      cancelsFd: null,
      cancelsUnsynced: false,
    };
    this.segments.add(segment);
    this.active = segment;
    this.namesUnsynced = true;
    this.collect();
    return segment;
  }

  /** Makes `entry` (already counted in its segment) the one of `k`, releasing the one before. */
  private replace(k: string, entry: Entry): void {
    const before = this.entries.get(k);
    this.entries.set(k, entry);
    if (before) this.release(before);
  }

  private drop(k: string, entry: Entry): void {
    this.entries.delete(k);
    this.release(entry);
  }

  /** An entry that no longer counts: its record is cancelled (or its legacy file deleted). */
  private release(entry: Entry): void {
    if (entry.legacyPath) {
      rmSync(entry.legacyPath, { force: true });
      this.namesUnsynced = true;
    }
    const segment = entry.segment;
    if (!segment) return;
    if (segment.cancelsFd === null) {
      segment.cancelsFd = openSync(segment.cancelsPath, 'a');
      this.namesUnsynced = true;
    }
    writeSync(segment.cancelsFd, cancelEntry(entry.offset));
    segment.cancelsUnsynced = true;
    segment.live--;
    this.collect();
  }

  /** Deletes the segments in which no record counts and that nobody writes or syncs. */
  private collect(): void {
    for (const segment of this.segments) {
      if (segment === this.active || segment.live > 0 || segment.busy > 0) continue;
      this.segments.delete(segment);
      closeFiles(segment);
      // The records first: a `.del` without its segment is harmless, the reverse is not.
      unlinkSync(segment.path);
      rmSync(segment.cancelsPath, { force: true });
      this.namesUnsynced = true;
    }
  }
}

function closeFiles(segment: Segment): void {
  if (segment.fd !== null) closeSync(segment.fd);
  if (segment.cancelsFd !== null) closeSync(segment.cancelsFd);
  segment.fd = segment.cancelsFd = null;
}

function writeAllSync(fd: number, data: Buffer, position: number): void {
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at, position + at);
}

async function writeAll(fd: number, data: Buffer, position: number): Promise<void> {
  for (let at = 0; at < data.length; ) at += (await writeAsync(fd, data, at, data.length - at, position + at)).bytesWritten;
}

function key(ino: number, idx: number): string {
  return `${ino}-${idx}`;
}
