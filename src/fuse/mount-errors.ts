import { ChunkfsError } from '../errors.js';

/**
 * A mount that could not be made or kept: FUSE missing, the mountpoint unusable or
 * already mounted. Stable code ERR_MOUNT; the message is one line for the user.
 */
export class MountError extends ChunkfsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MOUNT', message, options);
  }
}
