import type { Alloc } from '../store/types.js';

/** Smallest buffer a dirty chunk starts with; buffers grow by doubling up to the chunk size. */
const MIN_CAPACITY = 64 * 1024;

let versionSeq = 0;

/**
 * A version number, unique and increasing across every chunk of the process, so that a
 * journal entry or upload of an earlier incarnation of (ino, idx) is always older than
 * any version of a later one.
 */
export function nextVersion(): number {
  return ++versionSeq;
}

/** Buffer capacity for `n` bytes of a chunk. */
export function capacityFor(n: number, chunkSize: number): number {
  let cap = MIN_CAPACITY;
  while (cap < n) cap *= 2;
  return Math.min(cap, chunkSize);
}

/**
 * Capacity when a buffer of `current` bytes must hold `n`: at least four times larger, so a
 * chunk filled by a sequential writer is copied a few times, not at every doubling.
 */
function grownCapacity(current: number, n: number, chunkSize: number): number {
  return Math.min(chunkSize, Math.max(capacityFor(n, chunkSize), current * 4));
}

/** A buffer of `cap` bytes starting with `src[0, len)`; the rest is left unset (see DirtyChunk). */
export function bufferWith(src: Buffer | null, len: number, cap: number, alloc: Alloc = Buffer.allocUnsafe): Buffer {
  const buf = alloc(cap);
  if (src) src.copy(buf, 0, 0, len);
  return buf;
}

/**
 * The in-memory state of one dirty chunk. `buf` holds the chunk's bytes up to `len`; what
 * lies past `len` is unset and never read (a write that starts past `len` zeroes the gap
 * first), which spares zero-filling buffers that writes fill anyway. While an
 * upload reads `buf` it is `frozen`: a write then copies the buffer first (copy on write),
 * so the upload sends one consistent version.
 *
 * Version rules: `version` changes with every modification; `committed` is the newest
 * version in the store and metadata; `journaled` the newest in the local journal. The chunk
 * is clean when committed === version, and then leaves the dirty table.
 */
export class DirtyChunk {
  version = nextVersion();
  committed = 0;
  journaled = 0;
  frozen = false;
  /** Set once the chunk left the table (committed, truncated away or dropped). */
  removed = false;
  /** The running upload; resolves true when it committed, false when it failed. Never rejects. */
  inflight: Promise<boolean> | null = null;
  /**
   * The run of bytes written since the last upload took the buffer, [coverStart, coverEnd):
   * one contiguous run grown by the writes that touch it. Bytes loaded from the store do not
   * count, so a chunk covered end to end was rewritten whole (see `full`).
   */
  private coverStart = 0;
  private coverEnd = 0;

  constructor(
    public buf: Buffer,
    public len: number,
    /** Where the buffers it grows or copies into come from. */
    private readonly alloc: Alloc = Buffer.allocUnsafe,
  ) {}

  /**
   * Size of the new buffer that writing up to `end` (or trimming, with `end` <= len) needs:
   * a copy when frozen, a larger buffer when growing, 0 when the current one will do.
   */
  growthCost(end: number, chunkSize: number): number {
    const need = Math.max(end, this.len);
    if (this.frozen) return capacityFor(need, chunkSize);
    return need > this.buf.length ? grownCapacity(this.buf.length, need, chunkSize) : 0;
  }

  /**
   * Copies `data` to in-chunk offset `start`. The caller has reserved `growthCost()`;
   * returns the size of the buffer given up (to release), 0 when it was frozen (the upload
   * owns it then and releases it).
   */
  write(start: number, data: Uint8Array, chunkSize: number): number {
    const released = this.ensureCapacity(start + data.length, chunkSize);
    if (start > this.len) this.buf.fill(0, this.len, start);
    this.buf.set(data, start);
    this.len = Math.max(this.len, start + data.length);
    this.version = nextVersion();
    this.cover(start, start + data.length);
    return released;
  }

  /**
   * True when the writes since the last upload began cover the whole chunk: a sequential
   * writer has filled it, so uploading it now costs nothing a later upload would not.
   */
  full(chunkSize: number): boolean {
    return this.coverStart === 0 && this.coverEnd >= chunkSize;
  }

  /**
   * Cuts the chunk to `newLen` bytes. Costs `growthCost(newLen)` when frozen; returns the
   * bytes of the buffer given up, as `write`.
   */
  trim(newLen: number, chunkSize: number): number {
    if (newLen >= this.len) return 0;
    const released = this.frozen ? this.ensureCapacity(newLen, chunkSize) : 0;
    this.len = newLen;
    this.version = nextVersion();
    this.coverEnd = Math.min(this.coverEnd, newLen);
    return released;
  }

  /** Marks the buffer as read by an upload; returns the bytes to send. */
  freeze(): Buffer {
    this.frozen = true;
    // Later writes count towards the next upload only.
    this.coverStart = this.coverEnd = 0;
    return this.buf.subarray(0, this.len);
  }

  /** Grows the covered run by [start, end) when the two touch; a disjoint write leaves it as is. */
  private cover(start: number, end: number): void {
    if (this.coverEnd <= this.coverStart) {
      this.coverStart = start;
      this.coverEnd = end;
    } else if (start <= this.coverEnd && end >= this.coverStart) {
      this.coverStart = Math.min(this.coverStart, start);
      this.coverEnd = Math.max(this.coverEnd, end);
    }
  }

  private ensureCapacity(end: number, chunkSize: number): number {
    const cap = this.growthCost(end, chunkSize);
    if (cap === 0) return 0;
    const old = this.buf;
    this.buf = bufferWith(old, this.len, cap, this.alloc);
    const released = this.frozen ? 0 : old.length;
    this.frozen = false;
    return released;
  }
}

/** Dirty chunks by inode, then chunk index. Iteration is oldest-created first. */
export class DirtyTable {
  private readonly byIno = new Map<number, Map<number, DirtyChunk>>();

  get(ino: number, idx: number): DirtyChunk | undefined {
    return this.byIno.get(ino)?.get(idx);
  }

  set(ino: number, idx: number, chunk: DirtyChunk): void {
    let chunks = this.byIno.get(ino);
    if (!chunks) this.byIno.set(ino, (chunks = new Map()));
    chunks.set(idx, chunk);
  }

  /** Removes the entry if it still is `chunk`. */
  delete(ino: number, idx: number, chunk: DirtyChunk): void {
    const chunks = this.byIno.get(ino);
    if (chunks?.get(idx) !== chunk) return;
    chunks.delete(idx);
    if (chunks.size === 0) this.byIno.delete(ino);
  }

  /** A snapshot of the inode's dirty chunks. */
  chunksOf(ino: number): [number, DirtyChunk][] {
    return [...(this.byIno.get(ino) ?? [])];
  }

  inodes(): number[] {
    return [...this.byIno.keys()];
  }

  /**
   * Every dirty chunk, live (no copy: callers may stop early cheaply). Deleting entries
   * while iterating is safe; entries added meanwhile may or may not be visited.
   */
  *all(): Generator<{ ino: number; idx: number; chunk: DirtyChunk }> {
    for (const [ino, chunks] of this.byIno) {
      for (const [idx, chunk] of chunks) yield { ino, idx, chunk };
    }
  }
}
