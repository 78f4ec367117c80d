import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreUnavailable } from '../../src/errors.js';
import { MemStore } from '../../src/store/mem.js';
import { withFaultInjection } from '../../src/store/fault.js';

async function outcomes(seed: number): Promise<string> {
  const store = withFaultInjection(new MemStore(), { failRate: 0.5, seed });
  let out = '';
  for (let i = 0; i < 40; i++) out += await store.put(`k${i}`, Buffer.from('x')).then(() => '.', () => 'F');
  return out;
}

test('the same seed fails the same calls; another seed fails others', async () => {
  const a = await outcomes(7);
  assert.equal(await outcomes(7), a);
  assert.notEqual(await outcomes(8), a);
  assert.match(a, /F/);
  assert.match(a, /\./);
});

test('failAfterPut stores the object and then reports failure', async () => {
  const mem = new MemStore();
  const store = withFaultInjection(mem, { failAfterPut: 1 });
  await assert.rejects(store.put('k', Buffer.from('v')), StoreUnavailable);
  assert.equal((await mem.get('k')).toString(), 'v');
  assert.equal(store.faults.failedAfterPut, 1);
  assert.equal(store.faults.reached.put, 1);
  store.setFaults({ failAfterPut: 0 });
  await store.put('k', Buffer.from('w'));
});

test('only limits faults to the named operations; errors builds them; latency delays', async () => {
  const store = withFaultInjection(new MemStore(), {
    failRate: 1,
    only: ['get'],
    latencyMs: 20,
    errors: (call) => new Error(`boom in ${call.op}`),
  });
  const t0 = Date.now();
  await store.put('k', Buffer.from('v'));
  assert.ok(Date.now() - t0 >= 15);
  assert.equal(await store.head('k').then((i) => i?.size), 1);
  await assert.rejects(store.get('k'), /boom in get/);
  assert.deepEqual([store.faults.failedBefore.get, store.faults.failedBefore.put], [1, 0]);
});
