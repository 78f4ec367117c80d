import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedMutex } from '../../src/vfs/mutex.js';

test('runs of one key never overlap; other keys run alongside; a failure does not block the next', async () => {
  const m = new KeyedMutex<number>();
  const log: string[] = [];
  const job = (key: number, name: string, ms: number, fail = false) =>
    m.run(key, async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    });
  const results = await Promise.allSettled([job(1, 'a', 20, true), job(1, 'b', 1), job(2, 'c', 1)]);
  assert.equal(results[0].status, 'rejected');
  assert.deepEqual(results[1], { status: 'fulfilled', value: 'b' });
  assert.ok(log.indexOf('end a') < log.indexOf('start b'), log.join(', '));
  assert.ok(log.indexOf('end c') < log.indexOf('end a'), 'key 2 did not wait for key 1');
});
