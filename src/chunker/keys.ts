import { randomBytes } from 'node:crypto';

/** The store key of a chunk object (`chunks/<xx>/<id>`), spelled in one place. */
export { objectKey } from '../metadata/layout.js';

/** A fresh object id: 16 random hex digits. Ids are never reused (DESIGN invariant 1). */
export function newObjectId(): string {
  return randomBytes(8).toString('hex');
}
