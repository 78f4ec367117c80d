import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BucketNotFound, ObjectNotFound, StoreAccessDenied, StoreError, StoreUnavailable } from '../../src/errors.js';
import { MemStore } from '../../src/store/mem.js';
import { withFaultInjection } from '../../src/store/fault.js';
import { isTransient, withRetry } from '../../src/store/retry.js';

const fast = { baseDelayMs: 1, maxDelayMs: 2 };

test('transient: unavailable, 5xx, 408, 429; not: missing key or bucket, denied, other 4xx, bugs', () => {
  for (const e of [new StoreUnavailable('x'), new StoreError('x', 500), new StoreError('x', 503), new StoreError('x', 408), new StoreError('x', 429)]) {
    assert.equal(isTransient(e), true, e.message + (e as StoreError).status);
  }
  for (const e of [new ObjectNotFound('k'), new BucketNotFound('b'), new StoreAccessDenied('x'), new StoreError('x', 400), new StoreError('x', 416), new StoreError('x'), new TypeError('bug')]) {
    assert.equal(isTransient(e), false, e.message);
  }
});

test('retries transient failures until the call passes', async () => {
  const faulty = withFaultInjection(new MemStore(), { failRate: 0.6, seed: 3 });
  const store = withRetry(faulty, { ...fast, attempts: 50 });
  for (let i = 0; i < 20; i++) await store.put(`k${i}`, Buffer.from(`v${i}`));
  for (let i = 0; i < 20; i++) assert.equal((await store.get(`k${i}`)).toString(), `v${i}`);
  assert.ok(faulty.faults.failedBefore.put > 0);
  assert.equal(faulty.faults.reached.put, 20);
});

test('gives up after the attempts, naming operation, key and reason, with the cause', async () => {
  const faulty = withFaultInjection(new MemStore(), { failRate: 1, errors: () => new StoreError('SlowDown: reduce your rate', 503) });
  const store = withRetry(faulty, { ...fast, attempts: 4 });
  await assert.rejects(store.get('chunks/ab/123'), (err: unknown) => {
    assert.ok(err instanceof StoreUnavailable);
    assert.match(err.message, /^get "chunks\/ab\/123" on mem:\/\/ failed after 4 attempt\(s\)/);
    assert.match(err.message, /SlowDown.*503/);
    assert.ok(err.cause instanceof StoreError && err.cause.status === 503);
    return true;
  });
  assert.equal(faulty.faults.calls.get, 4);
});

test('stops when the time budget is spent, before the attempts are', async () => {
  const faulty = withFaultInjection(new MemStore(), { failRate: 1, latencyMs: 30 });
  const store = withRetry(faulty, { attempts: 1000, baseDelayMs: 20, maxDelayMs: 20, maxElapsedMs: 300, random: () => 0.99 });
  const t0 = Date.now();
  await assert.rejects(store.head('k'), StoreUnavailable);
  const took = Date.now() - t0;
  assert.ok(took < 3000, `took ${took} ms`);
  assert.ok(faulty.faults.calls.head < 20, `made ${faulty.faults.calls.head} calls`);
});

test('never retries a missing key, a missing bucket, a refusal or a 4xx', async () => {
  for (const make of [() => new BucketNotFound('b'), () => new StoreAccessDenied('no'), () => new StoreError('bad', 400)]) {
    const faulty = withFaultInjection(new MemStore(), { failRate: 1, errors: make });
    const store = withRetry(faulty, fast);
    await assert.rejects(store.put('k', Buffer.from('x')), (err: unknown) => (err as Error).constructor === make().constructor);
    assert.equal(faulty.faults.calls.put, 1);
  }
  const faulty = withFaultInjection(new MemStore());
  await assert.rejects(withRetry(faulty, fast).get('missing'), ObjectNotFound);
  assert.equal(faulty.faults.calls.get, 1);
});

test('retries 408 and 429 as well as 5xx', async () => {
  for (const status of [408, 429, 500, 502]) {
    const faulty = withFaultInjection(new MemStore(), { failRate: 1, errors: () => new StoreError(`status ${status}`, status) });
    const store = withRetry(faulty, { ...fast, attempts: 3 });
    await assert.rejects(store.delete('k'), StoreUnavailable);
    assert.equal(faulty.faults.calls.delete, 3, `status ${status}`);
  }
});
