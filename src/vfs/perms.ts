import { fsError } from '../errors.js';
import type { Attr } from '../metadata/types.js';
import type { Caller } from './types.js';
import { R_OK, W_OK, X_OK } from './flags.js';

export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

export const isRoot = (caller: Caller): boolean => caller.uid === 0;

/**
 * access(2) rules: the owner's bits for the owner, else the group's for a member of the
 * file's group, else the others'. Root passes everything except execute on a
 * non-directory that has no x bit anywhere. Rejects with EACCES.
 * (Supplementary groups are not known here: only the caller's primary gid counts.)
 */
export function checkAccess(attr: Attr, mask: number, caller: Caller): void {
  const want = mask & (R_OK | W_OK | X_OK);
  if (want === 0) return;
  if (isRoot(caller)) {
    if ((want & X_OK) && attr.kind !== 'dir' && (attr.perm & 0o111) === 0) throw fsError('EACCES');
    return;
  }
  let bits: number;
  if (caller.uid === attr.uid) bits = (attr.perm >> 6) & 7;
  else if (caller.gid === attr.gid) bits = (attr.perm >> 3) & 7;
  else bits = attr.perm & 7;
  if ((bits & want) !== want) throw fsError('EACCES');
}

/** chmod, utimes with explicit times: only the owner or root (EPERM). */
export function checkOwner(attr: Attr, caller: Caller): void {
  if (!isRoot(caller) && caller.uid !== attr.uid) throw fsError('EPERM');
}

/**
 * chown rules: only root changes the owner (a no-op change is allowed); the owner may
 * change the group to their own group. EPERM otherwise.
 */
export function checkChown(attr: Attr, caller: Caller, uid: number | undefined, gid: number | undefined): void {
  if (isRoot(caller)) return;
  if (uid !== undefined && uid !== attr.uid) throw fsError('EPERM');
  if (gid !== undefined && gid !== attr.gid) {
    if (caller.uid !== attr.uid || gid !== caller.gid) throw fsError('EPERM');
  }
}

/**
 * The permission bits after a chown: Linux clears set-user-ID, and set-group-ID when group
 * execute is set, on a non-directory whose owner or group changes.
 */
export function permAfterChown(attr: Attr): number {
  if (attr.kind === 'dir') return attr.perm;
  let perm = attr.perm & ~S_ISUID;
  if (perm & 0o010) perm &= ~S_ISGID;
  return perm;
}

/**
 * chmod by someone outside the file's group cannot keep set-group-ID on a file (Linux
 * drops it silently rather than failing).
 */
export function permForChmod(attr: Attr, perm: number, caller: Caller): number {
  let result = perm & 0o7777;
  if (!isRoot(caller) && attr.kind !== 'dir' && caller.gid !== attr.gid) result &= ~S_ISGID;
  return result;
}

