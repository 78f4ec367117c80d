import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FsError, StoreUnavailable } from '../../src/errors.js';
import { ErrnoMapper, errnoNumber } from '../../src/fuse/errno.js';

test('errno names map to negated Linux numbers', () => {
  assert.equal(errnoNumber('ENOENT'), -2);
  assert.equal(errnoNumber('ENOTEMPTY'), -39);
  assert.equal(errnoNumber('ENODATA'), -61);
  assert.equal(errnoNumber('ENOTSUP'), -95);
  assert.equal(errnoNumber('EROFS'), -30);
});

test('FsError answers with its errno and logs nothing', () => {
  const lines: string[] = [];
  const m = new ErrnoMapper((l) => lines.push(l));
  assert.equal(m.toErrno(new FsError('EEXIST'), 'mkdir /a'), -17);
  assert.deepEqual(lines, []);
});

test('anything else is EIO, logged once per distinct failure with its context', () => {
  const lines: string[] = [];
  const m = new ErrnoMapper((l) => lines.push(l));
  const down = new StoreUnavailable('cannot reach the store');
  assert.equal(m.toErrno(down, 'read /big'), -5);
  assert.equal(m.toErrno(down, 'read /big'), -5);
  assert.equal(m.toErrno(new TypeError('boom'), 'write /x'), -5);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /EIO in read \/big: ERR_STORE_UNAVAILABLE: cannot reach the store/);
  assert.match(lines[1]!, /EIO in write \/x: .*boom/);
});
