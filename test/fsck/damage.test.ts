import { test } from 'node:test';
import { combine, DAMAGES } from './damage.js';
import { fileEnv } from './fixture.js';
import { damageCycle, fired, fsck } from './verify.js';
import assert from 'node:assert/strict';

test('fsck: a fresh filesystem is clean', async () => {
  const env = await fileEnv();
  const r = await fsck(env, { verifyData: true });
  assert.deepEqual(fired(r), { errors: [], notes: [] });
  assert.equal(r.exitCode, 0);
  assert.equal(r.source, 'local');
});

for (const d of DAMAGES) {
  test(`fsck: ${d.name}: found, changed nothing, repaired, clean again, no other data lost`, async () => {
    await damageCycle(await fileEnv(), d);
  });
}

test('fsck: several damages together', async () => {
  const d = combine([
    'entry naming a missing inode',
    'wrong link count',
    'object missing from the store',
    'orphan object',
    'wrong object reference count',
    'size shorter than the last chunk',
    'symlink without a target',
    'corrupt object (same size)',
  ]);
  await damageCycle(await fileEnv(), d);
});

test('fsck --repair=lost: a file that lost a chunk moves to /lost+found', async () => {
  await damageCycle(await fileEnv(), combine(['object missing from the store']), 'lost');
});
