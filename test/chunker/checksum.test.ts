import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initChecksum, xxh64Hex, xxh64HexYielding } from '../../src/chunker/checksum.js';

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

test('the hash taken a slice at a time equals the whole one, at every size around a slice', async () => {
  await initChecksum();
  const data = Buffer.alloc(4 * 1024 * 1024 + 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) >> 3;
  for (const size of [0, 1, 256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1, 3 * 256 * 1024, data.length]) {
    assert.equal(await xxh64HexYielding(data.subarray(0, size)), xxh64Hex(data.subarray(0, size)), `size ${size}`);
  }
  assert.equal(await xxh64HexYielding(data.subarray(5)), xxh64Hex(data.subarray(5)), 'a subarray');
});

test('hashes taken a slice at a time at once do not mix', async () => {
  await initChecksum();
  const a = Buffer.alloc(1024 * 1024, 1);
  const b = Buffer.alloc(1024 * 1024, 2);
  const [ha, hb] = await Promise.all([xxh64HexYielding(a), xxh64HexYielding(b)]);
  assert.equal(ha, xxh64Hex(a));
  assert.equal(hb, xxh64Hex(b));
  assert.notEqual(ha, hb);
});
