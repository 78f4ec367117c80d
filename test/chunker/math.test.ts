import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkCount, chunkIndex, chunkLength, chunkSpans } from '../../src/chunker/math.js';

const CS = 4096;

test('offset to chunk index and chunk count for a size', () => {
  assert.equal(chunkIndex(0, CS), 0);
  assert.equal(chunkIndex(CS - 1, CS), 0);
  assert.equal(chunkIndex(CS, CS), 1);
  assert.equal(chunkCount(0, CS), 0);
  assert.equal(chunkCount(1, CS), 1);
  assert.equal(chunkCount(CS, CS), 1);
  assert.equal(chunkCount(CS + 1, CS), 2);
  // terabyte offsets stay exact
  assert.equal(chunkIndex(2 ** 40 + 5, CS), 2 ** 40 / CS);
});

test('chunk length of the last chunk is the real length', () => {
  assert.equal(chunkLength(0, 10, CS), 10);
  assert.equal(chunkLength(1, CS + 7, CS), 7);
  assert.equal(chunkLength(2, CS + 7, CS), 0);
});

test('in-chunk spans of a range', () => {
  assert.deepEqual(chunkSpans(10, 0, CS), []);
  assert.deepEqual(chunkSpans(10, 20, CS), [{ idx: 0, start: 10, length: 20, bufOffset: 0 }]);
  assert.deepEqual(chunkSpans(CS - 2, CS + 4, CS), [
    { idx: 0, start: CS - 2, length: 2, bufOffset: 0 },
    { idx: 1, start: 0, length: CS, bufOffset: 2 },
    { idx: 2, start: 0, length: 2, bufOffset: CS + 2 },
  ]);
  const spans = chunkSpans(12345, 3 * CS, CS);
  assert.equal(spans.reduce((n, s) => n + s.length, 0), 3 * CS);
});
