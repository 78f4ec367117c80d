import { fsError } from '../errors.js';
import { NAME_MAX } from './types.js';

const SLASH = 0x2f;
const DOT = 0x2e;

/** `.` or `..`: names that exist in every directory but are never stored. */
export function isDotName(name: Buffer): boolean {
  return (name.length === 1 && name[0] === DOT) || (name.length === 2 && name[0] === DOT && name[1] === DOT);
}

/**
 * Rejects names no directory entry can have, with Linux's errno: ENAMETOOLONG over 255
 * bytes, ENOENT for the empty name, EINVAL for a slash or NUL (one component only).
 */
export function checkName(name: Buffer): void {
  if (name.length > NAME_MAX) throw fsError('ENAMETOOLONG', `name of ${name.length} bytes`);
  if (name.length === 0) throw fsError('ENOENT', 'empty name');
  if (name.includes(SLASH) || name.includes(0)) throw fsError('EINVAL', 'name holds a slash or NUL');
}
