import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAllZero } from '../../src/chunker/zero.js';

test('all-zero detection over sizes around the slice length', () => {
  for (const n of [0, 1, 65535, 65536, 65537, 4 * 1024 * 1024 + 3]) {
    const buf = Buffer.alloc(n);
    assert.equal(isAllZero(buf), true, `zeros of ${n}`);
    if (n === 0) continue;
    for (const pos of [0, n - 1, Math.floor(n / 2)]) {
      buf[pos] = 1;
      assert.equal(isAllZero(buf), false, `byte ${pos} of ${n}`);
      buf[pos] = 0;
    }
  }
});

test('a zero view into a non-zero buffer is all zeros', () => {
  const buf = Buffer.from([1, 0, 0, 0, 1]);
  assert.equal(isAllZero(buf.subarray(1, 4)), true);
});
