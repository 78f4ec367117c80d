/**
 * Chunk arithmetic. A file is a sequence of fixed-size chunks; chunk `idx` covers bytes
 * [idx * chunkSize, (idx + 1) * chunkSize). All sizes are byte counts below 2^53.
 */

/** One piece of a byte range that falls inside a single chunk. */
export interface ChunkSpan {
  idx: number;
  /** Offset inside the chunk. */
  start: number;
  /** Bytes of the range inside this chunk. */
  length: number;
  /** Offset of this piece inside the whole range (where its bytes go in the caller's buffer). */
  bufOffset: number;
}

/** The index of the chunk holding byte `offset`. */
export function chunkIndex(offset: number, chunkSize: number): number {
  return Math.floor(offset / chunkSize);
}

/** Offset of the first byte of chunk `idx`. */
export function chunkStart(idx: number, chunkSize: number): number {
  return idx * chunkSize;
}

/** Number of chunks a file of `size` bytes spans (0 for an empty file). */
export function chunkCount(size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize);
}

/** Length of chunk `idx` in a file of `size` bytes (0 when the chunk lies wholly past the end). */
export function chunkLength(idx: number, size: number, chunkSize: number): number {
  const start = chunkStart(idx, chunkSize);
  return Math.max(0, Math.min(chunkSize, size - start));
}

/** The in-chunk pieces of the range [offset, offset + length), in order. Empty for length 0. */
export function chunkSpans(offset: number, length: number, chunkSize: number): ChunkSpan[] {
  const spans: ChunkSpan[] = [];
  let pos = offset;
  const end = offset + length;
  while (pos < end) {
    const idx = chunkIndex(pos, chunkSize);
    const start = pos - chunkStart(idx, chunkSize);
    const take = Math.min(chunkSize - start, end - pos);
    spans.push({ idx, start, length: take, bufOffset: pos - offset });
    pos += take;
  }
  return spans;
}
