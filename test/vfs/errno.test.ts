import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CorruptChunk, FsError, StoreUnavailable } from '../../src/errors.js';
import { checkOffset, toFsError, translating } from '../../src/vfs/errno.js';

test('a corrupt chunk becomes EIO with the cause kept; POSIX errors pass; other failures are left alone', async () => {
  const corrupt = new CorruptChunk('0123456789abcdef', 'xxh64 mismatch');
  const mapped = toFsError(corrupt);
  assert.ok(mapped instanceof FsError);
  assert.equal(mapped.errno, 'EIO');
  assert.equal(mapped.cause, corrupt);
  const posix = new FsError('ENOENT');
  assert.equal(toFsError(posix), posix);
  const down = new StoreUnavailable('down');
  assert.equal(toFsError(down), down);
  await assert.rejects(translating(async () => { throw corrupt; }), { errno: 'EIO' });
});

test('offsets must be non-negative safe integers', () => {
  checkOffset(0);
  checkOffset(2 ** 50);
  for (const bad of [-1, 0.5, Number.NaN, 2 ** 53]) assert.throws(() => checkOffset(bad), { errno: 'EINVAL' }, String(bad));
});
