import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyBuffer } from '../../src/store/body-buffer.js';

const parts = (...s: string[]) => s.map((x) => Buffer.from(x));

test('a body of the announced length is its own buffer; a longer one grows it; no length starts small', () => {
  const exact = new BodyBuffer(6);
  for (const p of parts('abc', 'def')) exact.add(p);
  assert.equal(exact.bytes().toString(), 'abcdef');

  const longer = new BodyBuffer(2);
  for (const p of parts('abc', 'defgh', 'i')) longer.add(p);
  assert.equal(longer.bytes().toString(), 'abcdefghi');

  const shorter = new BodyBuffer(10);
  shorter.add(Buffer.from('abc'));
  assert.equal(shorter.bytes().toString(), 'abc');

  const unknown = new BodyBuffer(undefined);
  unknown.add(Buffer.alloc(100_000, 1));
  assert.equal(unknown.bytes().length, 100_000);
});

test('past the cap the rest of the body is dropped', () => {
  const capped = new BodyBuffer(undefined, 5);
  for (const p of parts('abc', 'defg', 'hij')) capped.add(p);
  assert.equal(capped.bytes().toString(), 'abcde');
});
