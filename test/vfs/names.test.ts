import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkName, isDot, isDotName } from '../../src/vfs/names.js';

const errno = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { errno?: string }).errno;
  }
};

test('checkName accepts 255 bytes and refuses 256 with ENAMETOOLONG, counting bytes not characters', () => {
  assert.equal(errno(() => checkName(Buffer.alloc(255, 0x61))), undefined);
  assert.equal(errno(() => checkName(Buffer.alloc(256, 0x61))), 'ENAMETOOLONG');
  // 128 two-byte characters: 256 bytes.
  assert.equal(errno(() => checkName(Buffer.from('é'.repeat(128)))), 'ENAMETOOLONG');
});

test('checkName refuses empty names, slashes and NUL', () => {
  assert.equal(errno(() => checkName(Buffer.alloc(0))), 'ENOENT');
  assert.equal(errno(() => checkName(Buffer.from('a/b'))), 'EINVAL');
  assert.equal(errno(() => checkName(Buffer.from('a\0b'))), 'EINVAL');
  assert.equal(errno(() => checkName(Buffer.from([0xff, 0xfe]))), undefined, 'names are bytes, not UTF-8');
});

test('dot names are recognised', () => {
  assert.ok(isDotName(Buffer.from('.')) && isDotName(Buffer.from('..')));
  assert.ok(!isDotName(Buffer.from('...')) && !isDotName(Buffer.from('.a')));
  assert.ok(isDot(Buffer.from('.')) && !isDot(Buffer.from('..')));
});
