import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LeaseHeld } from '../../src/errors.js';
import { LEASE_KEY } from '../../src/metadata/layout.js';
import { acquireLease, readLease, type Lease, type LeaseInfo } from '../../src/metadata/lease.js';
import { MemStore } from '../../src/store/mem.js';

const quiet = { warn: () => undefined };
const other = (over: Partial<LeaseInfo> = {}): LeaseInfo => ({
  host: 'elsewhere.example', pid: 4242, uuid: 'other-mount', sinceMs: Date.parse('2026-01-02T03:04:05Z'), expiresMs: Date.now() + 60_000, ...over,
});
const putLease = (store: MemStore, l: LeaseInfo) => store.put(LEASE_KEY, Buffer.from(JSON.stringify(l)));

/** Releases every lease a test took, even when it fails. */
async function withLeases(fn: (keep: (l: Lease) => Lease) => Promise<void>): Promise<void> {
  const taken: Lease[] = [];
  try {
    await fn((l) => (taken.push(l), l));
  } finally {
    for (const l of taken) await l.release();
  }
}

test('acquire writes the lease naming this host and process; release deletes it', async () => {
  const store = new MemStore();
  const lease = await acquireLease(store, { ttlMs: 60_000 });
  const stored = await readLease(store);
  assert.deepEqual(stored, lease.holder);
  assert.equal(stored?.host, hostname());
  assert.equal(stored?.pid, process.pid);
  assert.ok(stored!.expiresMs > Date.now() + 50_000);
  await lease.release();
  assert.equal(await readLease(store), null);
  await lease.release();
  const short = await acquireLease(store, { ttlMs: 30 });
  await short.release();
  await sleep(50);
  assert.equal(await readLease(store), null, 'no renewal after release');
});

test('a second acquire fails with LeaseHeld naming host, pid and since', () =>
  withLeases(async (keep) => {
    const store = new MemStore();
    const first = keep(await acquireLease(store));
    await assert.rejects(acquireLease(store), (err: unknown) => {
      assert.ok(err instanceof LeaseHeld);
      const since = new Date(first.holder.sinceMs).toISOString();
      assert.equal(err.holder, `${hostname()} pid ${process.pid} since ${since}`);
      assert.match(err.message, new RegExp(`${hostname()} pid ${process.pid} since ${since}.*--force`));
      return true;
    });
    assert.deepEqual(await readLease(store), first.holder, 'the failed acquire left the lease alone');
  }));

test('a live lease of another host is refused; an expired one is taken over with a warning', () =>
  withLeases(async (keep) => {
    const store = new MemStore();
    await putLease(store, other());
    await assert.rejects(acquireLease(store, quiet), /elsewhere\.example pid 4242 since 2026-01-02T03:04:05\.000Z/);
    await putLease(store, other({ expiresMs: Date.now() - 1 }));
    const warnings: string[] = [];
    const lease = keep(await acquireLease(store, { warn: (m) => warnings.push(m) }));
    assert.equal((await readLease(store))?.uuid, lease.holder.uuid);
    assert.match(warnings.join('\n'), /expired lease of elsewhere\.example pid 4242/);
  }));

test('the lease of a dead process on this host is taken over', () =>
  withLeases(async (keep) => {
    const store = new MemStore();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    await putLease(store, other({ host: hostname(), pid: dead }));
    const warnings: string[] = [];
    keep(await acquireLease(store, { warn: (m) => warnings.push(m) }));
    assert.match(warnings.join('\n'), /no longer runs/);
  }));

test('force takes over a live lease; the old holder notices at its next renewal and does not delete it', () =>
  withLeases(async (keep) => {
    const store = new MemStore();
    const lost: Error[] = [];
    const first = keep(await acquireLease(store, { ttlMs: 60_000, onLost: (e) => lost.push(e) }));
    const warnings: string[] = [];
    const second = keep(await acquireLease(store, { force: true, warn: (m) => warnings.push(m) }));
    assert.match(warnings.join('\n'), /forcibly taking over the live lease of .* pid \d+ since/);
    await first.renew();
    assert.equal(first.lost, true);
    assert.ok(lost[0] instanceof LeaseHeld);
    await first.release();
    assert.equal((await readLease(store))?.uuid, second.holder.uuid);
  }));

test('the lease is renewed every ttl/3', () =>
  withLeases(async (keep) => {
    const store = new MemStore();
    const lease = keep(await acquireLease(store, { ttlMs: 150 }));
    const first = (await readLease(store))!.expiresMs;
    await sleep(200);
    const later = (await readLease(store))!;
    assert.ok(later.expiresMs > first, 'renewed');
    assert.ok(later.expiresMs > Date.now(), 'never lapsed');
    assert.equal(later.uuid, lease.holder.uuid);
    assert.equal(later.sinceMs, lease.holder.sinceMs);
    assert.equal(lease.lost, false);
  }));

test('losing the race (another writer right after ours) is detected by reading back', async () => {
  const store = new MemStore();
  const racer = other();
  const racy = Object.assign(Object.create(store) as MemStore, {
    async put(key: string, body: Uint8Array) {
      await store.put(key, body);
      if (key === LEASE_KEY) await putLease(store, racer);
    },
  });
  await assert.rejects(acquireLease(racy, quiet), (err: unknown) => err instanceof LeaseHeld && /lost the race.*elsewhere/.test(err.message));
});

test('a malformed lease reads as none and is replaced', () =>
  withLeases(async (keep) => {
    const store = new MemStore();
    await store.put(LEASE_KEY, Buffer.from('not json'));
    assert.equal(await readLease(store), null);
    keep(await acquireLease(store, quiet));
    assert.ok(await readLease(store));
  }));
