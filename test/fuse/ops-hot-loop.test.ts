import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createOps } from '../../src/fuse/ops.js';
import { openFixture } from '../helpers/fs-fixture.js';

type Cb = (code: number, ...values: unknown[]) => void;

/** Calls a fuse-native style handler and resolves with its answer. */
function call(fn: (cb: Cb) => void): Promise<unknown[]> {
  return new Promise((resolve) => fn((...answer) => resolve(answer)));
}

test("the loop keeps turning after a lookup answered from the listing, not after other answers", async (t) => {
  const f = await openFixture(t);
  const { ops, hot } = createOps({ vfs: f.vfs, present: { uid: 1000, gid: 1000 }, readOnly: false, log: () => {}, attrTimeoutMs: 1000 });
  const settle = async () => {
    for (let i = 0; i < 100 && hot.active; i++) await sleep(2);
    assert.equal(hot.active, false, 'the loop stops turning by itself');
  };

  const [created, fd] = await call((cb) => ops.create('/f', 0o644, cb));
  assert.equal(created, 0);
  assert.equal((await call((cb) => ops.write('/f', fd as number, Buffer.from('abc'), 3, 0, cb)))[0], 3);
  assert.equal((await call((cb) => ops.fsync('/f', 0, fd as number, cb)))[0], 0);
  assert.equal(hot.active, false, 'create, write and fsync leave the loop to sleep');

  assert.equal((await call((cb) => ops.getattr('/f', cb)))[0], 0);
  assert.equal(hot.active, false, 'a lookup through the metadata');

  const buf = Buffer.alloc(3);
  assert.equal((await call((cb) => ops.read('/f', fd as number, buf, 3, 0, cb)))[0], 3);
  assert.equal(buf.toString(), 'abc');
  assert.equal(hot.active, false, 'a read answered from memory');

  assert.equal((await call((cb) => ops.readdir('/', cb)))[0], 0);
  assert.equal(hot.active, false, 'the listing itself');
  assert.equal((await call((cb) => ops.getattr('/f', cb)))[0], 0);
  assert.equal(hot.active, true, "a lookup answered from the listing");
  await settle();
  assert.equal((await call((cb) => ops.release('/f', fd as number, cb)))[0], 0);
});
