import { ChunkfsError } from '../errors.js';

/**
 * The local metadata database cannot be used: missing, of another filesystem, or written
 * by a newer chunkfs. Code `ERR_METADATA`.
 */
export class MetadataError extends ChunkfsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_METADATA', message, options);
  }
}

/** The store's superblock (`chunkfs.json`) is malformed or of a newer format. Code `ERR_SUPERBLOCK`. */
export class SuperblockError extends ChunkfsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SUPERBLOCK', message, options);
  }
}
