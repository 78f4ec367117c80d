import { xxh64Raw } from './checksum.js';

/*
 * A journal segment is a sequence of records, each starting at a multiple of 8 bytes:
 *   0  'CFSJ'    magic
 *   4  u8        format (2)
 *   5  u8        kind (1: a chunk's bytes)
 *   8  u64 BE    ino
 *  16  u64 BE    idx
 *  24  u32 BE    length of the data
 *  32  8 bytes   xxh64 of the data
 *  40  8 bytes   xxh64 of bytes 0-39 (so a torn or zeroed region is never read as a header)
 *  48  the data, then zeros up to the next multiple of 8
 * Of the records of one (ino, idx) that are not cancelled, the last one written counts.
 *
 * Beside segment `<n>.log`, `<n>.del` lists the offsets of its cancelled records (removed
 * once committed, or replaced by a newer record), 16 bytes each: the offset, then the
 * offset with every bit flipped, so that a torn or zeroed entry cancels nothing.
 */
export const RECORD_HEADER = 48;
const MAGIC = Buffer.from('CFSJ');
const FORMAT = 2;
const KIND_CHUNK = 1;
export const CANCEL_ENTRY = 16;
const ALL_BITS = 0xffff_ffff_ffff_ffffn;

/** Bytes a record of `dataLength` takes in its segment, padding included. */
export function recordSize(dataLength: number): number {
  return Math.ceil((RECORD_HEADER + dataLength) / 8) * 8;
}

/** The header of a record; the data and `recordSize - RECORD_HEADER - length` zeros follow it. */
export function recordHeader(ino: number, idx: number, data: Uint8Array): Buffer {
  const header = Buffer.alloc(RECORD_HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt8(FORMAT, 4);
  header.writeUInt8(KIND_CHUNK, 5);
  header.writeBigUInt64BE(BigInt(ino), 8);
  header.writeBigUInt64BE(BigInt(idx), 16);
  header.writeUInt32BE(data.length, 24);
  header.writeBigUInt64BE(xxh64Raw(data), 32);
  header.writeBigUInt64BE(xxh64Raw(header.subarray(0, 40)), 40);
  return header;
}

export interface SegmentRecord {
  ino: number;
  idx: number;
  /** The chunk's bytes (a view of the segment). */
  data: Buffer;
  offset: number;
}

/** The entry of a `.del` file that cancels the record at `offset`. */
export function cancelEntry(offset: number): Buffer {
  const entry = Buffer.alloc(CANCEL_ENTRY);
  entry.writeBigUInt64BE(BigInt(offset), 0);
  entry.writeBigUInt64BE(~BigInt(offset) & ALL_BITS, 8);
  return entry;
}

/** The offsets a `.del` file cancels; entries that fail their check are ignored. */
export function readCancels(file: Buffer): Set<number> {
  const offsets = new Set<number>();
  for (let at = 0; at + CANCEL_ENTRY <= file.length; at += CANCEL_ENTRY) {
    const offset = file.readBigUInt64BE(at);
    if ((~offset & ALL_BITS) === file.readBigUInt64BE(at + 8)) offsets.add(Number(offset));
  }
  return offsets;
}

/**
 * The whole records of a segment in order, and a description of each region that is not
 * one: a record whose data fails its checksum, or bytes that hold no header (a write a
 * crash cut short, or a torn tail). Reading goes on at the next whole header.
 */
export function readSegment(segment: Buffer): { records: SegmentRecord[]; problems: string[] } {
  const records: SegmentRecord[] = [];
  const problems: string[] = [];
  let pos = 0;
  while (pos < segment.length) {
    const header = headerAt(segment, pos);
    if (!header) {
      const next = nextHeader(segment, pos + 8);
      problems.push(`${next - pos} unreadable bytes at offset ${pos}`);
      pos = next;
      continue;
    }
    const { ino, idx, length } = header;
    const size = recordSize(length);
    if (pos + size > segment.length) {
      problems.push(`ino=${ino} idx=${idx}: torn (${segment.length - pos - RECORD_HEADER} of ${length} bytes)`);
      break;
    }
    const data = segment.subarray(pos + RECORD_HEADER, pos + RECORD_HEADER + length);
    if (xxh64Raw(data) !== segment.readBigUInt64BE(pos + 32)) problems.push(`ino=${ino} idx=${idx}: checksum mismatch`);
    else records.push({ ino, idx, data, offset: pos });
    pos += size;
  }
  return { records, problems };
}

function headerAt(segment: Buffer, pos: number): { ino: number; idx: number; length: number } | null {
  if (pos + RECORD_HEADER > segment.length) return null;
  if (segment.compare(MAGIC, 0, 4, pos, pos + 4) !== 0 || segment.readUInt8(pos + 4) !== FORMAT) return null;
  if (xxh64Raw(segment.subarray(pos, pos + 40)) !== segment.readBigUInt64BE(pos + 40)) return null;
  if (segment.readUInt8(pos + 5) !== KIND_CHUNK) return null;
  return {
    ino: Number(segment.readBigUInt64BE(pos + 8)),
    idx: Number(segment.readBigUInt64BE(pos + 16)),
    length: segment.readUInt32BE(pos + 24),
  };
}

/** The offset of the next whole header at or after `from` (8-aligned), or the segment's end. */
function nextHeader(segment: Buffer, from: number): number {
  for (let at = segment.indexOf(MAGIC, from); at !== -1; at = segment.indexOf(MAGIC, at + 1)) {
    if (at % 8 === 0 && headerAt(segment, at)) return at;
  }
  return segment.length;
}
