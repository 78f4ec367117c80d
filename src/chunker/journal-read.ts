import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initChecksum, xxh64Hex } from './checksum.js';
import { readCancels, readSegment } from './journal-record.js';

/** `<16 digits>.log`: a segment of records, numbered in the order they were started. */
const SEGMENT_RE = /^(\d{16})\.log$/;
/** `<16 digits>.del`: the records of that segment that are cancelled. */
const CANCELS_RE = /^(\d{16})\.del$/;
/** The one-file-per-entry journal of earlier versions, read so that an upgrade loses nothing. */
const LEGACY_RE = /^(\d+)-(\d+)$/;
const LEGACY_TMP = '.tmp-';

const numbered = (seq: number): string => String(seq).padStart(16, '0');
export const segmentName = (seq: number): string => `${numbered(seq)}.log`;
export const cancelsName = (seq: number): string => `${numbered(seq)}.del`;

export interface FoundSegment {
  seq: number;
  path: string;
  /** Its `.del` file (which may not exist yet). */
  cancelsPath: string;
  size: number;
}

export interface FoundEntry {
  ino: number;
  idx: number;
  data: Buffer;
  /** Where it lives: a segment (its record at `offset`), or a file of the earlier format. */
  segment: FoundSegment | null;
  offset: number;
  legacyPath: string | null;
}

export interface JournalContents {
  /** The newest whole record of each (ino, idx) among those not cancelled. */
  entries: FoundEntry[];
  /** Every segment, oldest first. */
  segments: FoundSegment[];
  /** Files that hold nothing to recover: of the earlier format (temp, torn, replaced), or a
   * `.del` whose segment is gone. */
  deadFiles: string[];
  /** What could not be read, one line each (the record is skipped). */
  problems: string[];
}

/** The numbers of the segments among `names`, in order. */
function segmentNumbers(names: string[]): number[] {
  const seqs: number[] = [];
  for (const name of names) {
    const m = SEGMENT_RE.exec(name);
    if (m) seqs.push(Number(m[1]));
  }
  return seqs.sort((a, b) => a - b);
}

/** The highest segment number among `names`, 0 when there is none. */
export function lastSegment(names: string[]): number {
  return segmentNumbers(names).at(-1) ?? 0;
}

/**
 * Reads the journal in `dir` without changing it: files of the earlier format first (they
 * are older than any segment), then the segments in order, each record that is not
 * cancelled replacing what came before it for its (ino, idx).
 */
export async function readJournal(dir: string): Promise<JournalContents> {
  await initChecksum();
  const contents: JournalContents = { entries: [], segments: [], deadFiles: [], problems: [] };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return contents;
    throw err;
  }
  const live = new Map<string, FoundEntry>();
  const replace = (entry: FoundEntry, ino: number, idx: number): void => {
    const k = `${ino}-${idx}`;
    const before = live.get(k);
    if (before?.legacyPath) contents.deadFiles.push(before.legacyPath);
    live.set(k, entry);
  };
  for (const name of names.filter((n) => n.startsWith(LEGACY_TMP))) contents.deadFiles.push(join(dir, name));
  for (const name of names) {
    const m = LEGACY_RE.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    const [ino, idx] = [Number(m[1]), Number(m[2])];
    const data = parseLegacy(await readFile(path), ino, idx);
    if (typeof data === 'string') {
      contents.problems.push(`${name}: ${data}`);
      contents.deadFiles.push(path);
    } else replace({ ino, idx, data, segment: null, offset: 0, legacyPath: path }, ino, idx);
  }
  const seqs = segmentNumbers(names);
  for (const name of names) {
    const m = CANCELS_RE.exec(name);
    if (m && !seqs.includes(Number(m[1]))) contents.deadFiles.push(join(dir, name));
  }
  for (const seq of seqs) {
    const path = join(dir, segmentName(seq));
    const cancelsPath = join(dir, cancelsName(seq));
    const bytes = await readFile(path);
    const cancelled = readCancels(names.includes(cancelsName(seq)) ? await readFile(cancelsPath) : Buffer.alloc(0));
    const segment: FoundSegment = { seq, path, cancelsPath, size: bytes.length };
    contents.segments.push(segment);
    const { records, problems } = readSegment(bytes);
    for (const p of problems) contents.problems.push(`${segmentName(seq)}: ${p}`);
    for (const r of records) {
      if (!cancelled.has(r.offset)) replace({ ino: r.ino, idx: r.idx, data: r.data, segment, offset: r.offset, legacyPath: null }, r.ino, r.idx);
    }
  }
  contents.entries = [...live.values()];
  return contents;
}

/*
 * The earlier format, `<ino>-<idx>`: a 40-byte header ('CFSJ', format 1 at byte 4, ino at 8,
 * idx at 16, u32 length at 24, xxh64 of the data at 32), then the chunk's bytes.
 */
function parseLegacy(file: Buffer, ino: number, idx: number): Buffer | string {
  const HEADER = 40;
  if (file.length < HEADER) return `torn header (${file.length} bytes)`;
  if (file.toString('latin1', 0, 4) !== 'CFSJ' || file.readUInt8(4) !== 1) return 'bad magic or format';
  if (file.readBigUInt64BE(8) !== BigInt(ino) || file.readBigUInt64BE(16) !== BigInt(idx)) return 'header does not match its name';
  const data = file.subarray(HEADER);
  if (data.length !== file.readUInt32BE(24)) return `length ${data.length}, header says ${file.readUInt32BE(24)}`;
  if (xxh64Hex(data) !== file.subarray(32, 40).toString('hex')) return 'checksum mismatch';
  return data;
}
