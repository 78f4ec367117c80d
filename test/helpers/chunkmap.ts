import type { ChunkRef, ChunkUpdate } from '../../src/metadata/types.js';
import type { ChunkMap } from '../../src/chunker/types.js';

/**
 * An in-memory chunk map for data-path tests: the three chunk-map methods of `Metadata`,
 * with file sizes raised by `sizeAtLeast` and replaced objects collected in `retired`.
 */
export class MemChunkMap implements ChunkMap {
  readonly chunks = new Map<number, Map<number, ChunkRef>>();
  readonly sizes = new Map<number, number>();
  /** Object ids replaced or removed by commits, in order. */
  readonly retired: string[] = [];
  /** Inodes that no longer exist: commits to them retire the new objects instead. */
  readonly destroyed = new Set<number>();
  commits = 0;

  getChunk(ino: number, idx: number): ChunkRef | null {
    const ref = this.chunks.get(ino)?.get(idx);
    return ref ? { ...ref } : null;
  }

  getChunks(ino: number, fromIdx: number, toIdx: number): ChunkRef[] {
    return [...(this.chunks.get(ino)?.values() ?? [])]
      .filter((r) => r.idx >= fromIdx && r.idx < toIdx)
      .sort((a, b) => a.idx - b.idx)
      .map((r) => ({ ...r }));
  }

  commitChunks(ino: number, updates: ChunkUpdate[], sizeAtLeast?: number): void {
    this.commits++;
    if (this.destroyed.has(ino)) {
      for (const u of updates) if (u.objectId !== null) this.retired.push(u.objectId);
      return;
    }
    let chunks = this.chunks.get(ino);
    if (!chunks) this.chunks.set(ino, (chunks = new Map()));
    for (const u of updates) {
      const old = chunks.get(u.idx);
      if (old) this.retired.push(old.objectId);
      if (u.objectId === null) chunks.delete(u.idx);
      else chunks.set(u.idx, { ...u });
    }
    if (sizeAtLeast !== undefined && sizeAtLeast > (this.sizes.get(ino) ?? 0)) this.sizes.set(ino, sizeAtLeast);
  }

  /** What a setattr(size) does to the chunk map: rows wholly past the size go, the size is set. */
  setSize(ino: number, size: number, chunkSize: number): void {
    const chunks = this.chunks.get(ino);
    for (const [idx, ref] of chunks ?? []) {
      if (idx * chunkSize >= size) {
        chunks!.delete(idx);
        this.retired.push(ref.objectId);
      }
    }
    this.sizes.set(ino, size);
  }

  size(ino: number): number {
    return this.sizes.get(ino) ?? 0;
  }

  /** Every object id referenced. */
  objectIds(): string[] {
    return [...this.chunks.values()].flatMap((m) => [...m.values()].map((r) => r.objectId));
  }
}
