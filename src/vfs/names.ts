import { fsError } from '../errors.js';
import { NAME_MAX } from '../metadata/types.js';

const SLASH = 0x2f;

/** True for `.` and `..`, which name no directory entry of their own. */
export function isDotName(name: Buffer): boolean {
  return (name.length === 1 && name[0] === 0x2e) || (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e);
}

export const isDot = (name: Buffer): boolean => name.length === 1 && name[0] === 0x2e;

/**
 * A name that could be a directory entry: ENOENT when empty (as for an empty path),
 * EINVAL when it holds `/` or NUL, ENAMETOOLONG past 255 bytes.
 */
export function checkName(name: Buffer): void {
  if (name.length === 0) throw fsError('ENOENT', 'empty name');
  if (name.length > NAME_MAX) throw fsError('ENAMETOOLONG', `name longer than ${NAME_MAX} bytes`);
  if (name.includes(SLASH) || name.includes(0)) throw fsError('EINVAL', 'name holds "/" or NUL');
}
