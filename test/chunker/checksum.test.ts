import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initChecksum, xxh64Hex } from '../../src/chunker/checksum.js';

test('xxh64 of known inputs, as 16 lowercase hex digits', async () => {
  await initChecksum();
  // Reference values of XXH64 with seed 0.
  assert.equal(xxh64Hex(Buffer.alloc(0)), 'ef46db3751d8e999');
  assert.equal(xxh64Hex(Buffer.from('a')), 'd24ec4f1a98c6e5b');
  const sum = xxh64Hex(Buffer.from('hello'));
  assert.match(sum, /^[0-9a-f]{16}$/);
  assert.notEqual(xxh64Hex(Buffer.from('hellp')), sum);
});

test('a subarray hashes its own bytes only', async () => {
  await initChecksum();
  const big = Buffer.from('xxhelloxx');
  assert.equal(xxh64Hex(big.subarray(2, 7)), xxh64Hex(Buffer.from('hello')));
});
