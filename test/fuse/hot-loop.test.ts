import assert from 'node:assert/strict';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { HotLoop } from '../../src/fuse/hot-loop.js';

test('the loop keeps turning for the window after the last touch, then stops by itself', async () => {
  let now = 0;
  const loop = new HotLoop(2, () => now);
  assert.equal(loop.active, false);
  loop.touch();
  assert.equal(loop.active, true);
  await nextTurn();
  await nextTurn();
  assert.equal(loop.active, true, 'still inside the window');
  now = 1.5;
  loop.touch();
  now = 3;
  await nextTurn();
  await nextTurn();
  assert.equal(loop.active, true, 'the second touch moved the window');
  now = 3.6;
  await nextTurn();
  await nextTurn();
  assert.equal(loop.active, false, 'past the window');
  loop.touch();
  assert.equal(loop.active, true, 'a later touch starts it again');
  now = 10;
  await nextTurn();
  await nextTurn();
  assert.equal(loop.active, false);
});

test('with the real clock the turning ends shortly after the window; a window of 0 never turns', async () => {
  const loop = new HotLoop(1);
  loop.touch();
  await sleep(30);
  assert.equal(loop.active, false);
  const off = new HotLoop(0);
  off.touch();
  assert.equal(off.active, false);
});
