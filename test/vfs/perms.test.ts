import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr } from '../../src/metadata/types.js';
import { checkAccess, checkChown, checkOwner, permAfterChown, permForChmod } from '../../src/vfs/perms.js';

const attr = (perm: number, kind: Attr['kind'] = 'file', uid = 100, gid = 200): Attr => ({
  ino: 2, kind, perm, uid, gid, nlink: 1, size: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, rdev: 0,
});
const owner = { uid: 100, gid: 999 };
const member = { uid: 101, gid: 200 };
const other = { uid: 102, gid: 300 };
const root = { uid: 0, gid: 0 };

const refused = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { errno?: string }).errno;
  }
};

test('access uses the owner bits for the owner, the group bits for the group, the other bits for the rest', () => {
  const a = attr(0o640);
  assert.equal(refused(() => checkAccess(a, 6, owner)), undefined);
  assert.equal(refused(() => checkAccess(a, 1, owner)), 'EACCES');
  assert.equal(refused(() => checkAccess(a, 4, member)), undefined);
  assert.equal(refused(() => checkAccess(a, 2, member)), 'EACCES');
  assert.equal(refused(() => checkAccess(a, 4, other)), 'EACCES');
  assert.equal(refused(() => checkAccess(a, 0, other)), undefined, 'F_OK only asks for existence');
  // The owner gets the owner bits even when the group bits would allow more.
  assert.equal(refused(() => checkAccess(attr(0o070, 'file', 100, 999), 4, owner)), 'EACCES');
});

test('root passes everything except execute on a file with no x bit; directories are searchable', () => {
  assert.equal(refused(() => checkAccess(attr(0o000), 6, root)), undefined);
  assert.equal(refused(() => checkAccess(attr(0o000), 1, root)), 'EACCES');
  assert.equal(refused(() => checkAccess(attr(0o001), 1, root)), undefined);
  assert.equal(refused(() => checkAccess(attr(0o000, 'dir'), 1, root)), undefined);
});

test('chmod and explicit times need the owner; chown needs root except a group change by the owner to their group', () => {
  assert.equal(refused(() => checkOwner(attr(0o644), other)), 'EPERM');
  assert.equal(refused(() => checkOwner(attr(0o644), owner)), undefined);
  assert.equal(refused(() => checkOwner(attr(0o644), root)), undefined);
  assert.equal(refused(() => checkChown(attr(0o644), owner, 5, undefined)), 'EPERM');
  assert.equal(refused(() => checkChown(attr(0o644), owner, 100, undefined)), undefined, 'unchanged owner is allowed');
  assert.equal(refused(() => checkChown(attr(0o644), owner, undefined, 999)), undefined);
  assert.equal(refused(() => checkChown(attr(0o644), owner, undefined, 5)), 'EPERM');
  assert.equal(refused(() => checkChown(attr(0o644), other, undefined, 300)), 'EPERM');
  assert.equal(refused(() => checkChown(attr(0o644), root, 5, 5)), undefined);
});

test('chown clears set-user-ID, and set-group-ID with group execute, on files only', () => {
  assert.equal(permAfterChown(attr(0o6755)), 0o0755);
  assert.equal(permAfterChown(attr(0o6745)), 0o2745, 'setgid without group x marks mandatory locking: kept');
  assert.equal(permAfterChown(attr(0o6755, 'dir')), 0o6755);
  assert.equal(permForChmod(attr(0o644), 0o2755, other), 0o0755);
  assert.equal(permForChmod(attr(0o644), 0o2755, member), 0o2755);
});
