import { xxh64Raw } from './checksum.js';

/*
 * A journal segment is a sequence of records, each starting at a multiple of 8 bytes:
 *   0  'CFSJ'    magic
 *   4  u8        format (2)
 *   5  u8        kind: 1 = a chunk's bytes, 2 = the removal of (ino, idx)
 *   8  u64 BE    ino
 *  16  u64 BE    idx
 *  24  u32 BE    length of the data (0 for a removal)
 *  32  8 bytes   xxh64 of the data
 *  40  8 bytes   xxh64 of bytes 0-39 (so a torn or zeroed region is never read as a header)
 *  48  the data, then zeros up to the next multiple of 8
 * A later record of (ino, idx) replaces an earlier one, in the same segment or a later one.
 */
export const RECORD_HEADER = 48;
const MAGIC = Buffer.from('CFSJ');
const FORMAT = 2;
export const KIND_CHUNK = 1;
export const KIND_REMOVAL = 2;
type Kind = typeof KIND_CHUNK | typeof KIND_REMOVAL;

/** Bytes a record of `dataLength` takes in its segment, padding included. */
export function recordSize(dataLength: number): number {
  return Math.ceil((RECORD_HEADER + dataLength) / 8) * 8;
}

/** The header of a record; the data and `recordSize - RECORD_HEADER - length` zeros follow it. */
export function recordHeader(kind: Kind, ino: number, idx: number, data: Uint8Array): Buffer {
  const header = Buffer.alloc(RECORD_HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt8(FORMAT, 4);
  header.writeUInt8(kind, 5);
  header.writeBigUInt64BE(BigInt(ino), 8);
  header.writeBigUInt64BE(BigInt(idx), 16);
  header.writeUInt32BE(data.length, 24);
  header.writeBigUInt64BE(xxh64Raw(data), 32);
  header.writeBigUInt64BE(xxh64Raw(header.subarray(0, 40)), 40);
  return header;
}

export interface SegmentRecord {
  kind: Kind;
  ino: number;
  idx: number;
  /** The chunk's bytes (a view of the segment); empty for a removal. */
  data: Buffer;
  offset: number;
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
    const { kind, ino, idx, length } = header;
    const size = recordSize(length);
    if (pos + size > segment.length) {
      problems.push(`ino=${ino} idx=${idx}: torn (${segment.length - pos - RECORD_HEADER} of ${length} bytes)`);
      break;
    }
    const data = segment.subarray(pos + RECORD_HEADER, pos + RECORD_HEADER + length);
    if (xxh64Raw(data) !== segment.readBigUInt64BE(pos + 32)) problems.push(`ino=${ino} idx=${idx}: checksum mismatch`);
    else records.push({ kind, ino, idx, data, offset: pos });
    pos += size;
  }
  return { records, problems };
}

function headerAt(segment: Buffer, pos: number): { kind: Kind; ino: number; idx: number; length: number } | null {
  if (pos + RECORD_HEADER > segment.length) return null;
  if (segment.compare(MAGIC, 0, 4, pos, pos + 4) !== 0 || segment.readUInt8(pos + 4) !== FORMAT) return null;
  if (xxh64Raw(segment.subarray(pos, pos + 40)) !== segment.readBigUInt64BE(pos + 40)) return null;
  const kind = segment.readUInt8(pos + 5);
  if (kind !== KIND_CHUNK && kind !== KIND_REMOVAL) return null;
  return {
    kind,
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
