import { fsError } from '../errors.js';
import type { InodeKind } from '../metadata/types.js';

/** Linux's limits (XATTR_NAME_MAX, XATTR_SIZE_MAX). */
export const XATTR_NAME_MAX = 255;
export const XATTR_SIZE_MAX = 65536;

const NAMESPACES = ['user.', 'trusted.', 'security.'];

/**
 * SELinux labels FUSE filesystems by mount (genfscon or `context=`), never from a FUSE
 * filesystem's xattrs, so a stored label would be one no policy reads. Saying so with
 * EOPNOTSUPP also lets `ls -l` stop asking for it once per file (coreutils remembers a
 * device without labels), which halves the requests of a long listing.
 */
const UNSUPPORTED = new Set(['security.selinux']);

/**
 * Checks an extended attribute name as Linux does: ERANGE when empty or over 255 bytes;
 * EOPNOTSUPP outside the `user.`, `trusted.` and `security.` namespaces (`system.` holds
 * POSIX ACLs, which chunkfs does not implement) and for `security.selinux`.
 */
export function checkXattrName(name: string): void {
  const bytes = Buffer.byteLength(name);
  if (bytes === 0 || bytes > XATTR_NAME_MAX) throw fsError('ERANGE', 'bad xattr name length');
  if (!NAMESPACES.some((ns) => name.startsWith(ns) && name.length > ns.length)) throw fsError('EOPNOTSUPP', `unsupported xattr namespace: ${name}`);
  if (UNSUPPORTED.has(name)) throw fsError('EOPNOTSUPP', `${name} is not stored: SELinux labels FUSE mounts by mount`);
}

/** `user.` attributes exist only on regular files and directories (Linux: EPERM elsewhere). */
export function checkXattrTarget(name: string, kind: InodeKind): void {
  if (name.startsWith('user.') && kind !== 'file' && kind !== 'dir') throw fsError('EPERM', 'user xattrs only on files and directories');
}

export function checkXattrValue(value: Buffer): void {
  if (value.length > XATTR_SIZE_MAX) throw fsError('E2BIG', 'xattr value over 64 KiB');
}
