import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ObjectNotFound } from '../../src/errors.js';
import { listAll, type ObjectStore } from '../../src/store/types.js';
import { withCounting } from '../../src/store/counting.js';
import { withFaultInjection } from '../../src/store/fault.js';
import { withRetry } from '../../src/store/retry.js';

/** Makes a fresh, empty store for one test case. */
export type StoreFactory = () => Promise<ObjectStore>;

/**
 * What a backend guarantees beyond the basics (all true for a real store). A test endpoint
 * that falls short says so here, and the cases it cannot pass are reported as skipped.
 */
export interface StoreSupports {
  /** Concurrent puts to one key leave one whole body (S3, file, mem; not s3rver). */
  atomicOverwrite: boolean;
  /**
   * Listings are in byte order even where a key sorts between a "directory" and its
   * contents (`a-b` < `a/c` < `a0`); s3rver lists in the order of its file paths instead.
   */
  byteOrderAcrossPrefixes: boolean;
  /** `get` reads a body into the buffer its `alloc` gives (file and S3; mem hands out copies of its own). */
  readsIntoAlloc: boolean;
}

const MiB = 1024 * 1024;

/** Byte order of keys, as every store must list them. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function keysOf(store: ObjectStore, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of listAll(store, prefix)) keys.push(info.key);
  return keys;
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const pad = (n: number): string => String(n).padStart(5, '0');

/**
 * The one conformance suite of `ObjectStore` (types.ts): every backend must pass it.
 * `factory` must return an empty store each time; the suite closes it.
 */
export function storeConformance(name: string, factory: StoreFactory, supports: Partial<StoreSupports> = {}): void {
  const can: StoreSupports = { atomicOverwrite: true, byteOrderAcrossPrefixes: true, readsIntoAlloc: true, ...supports };
  describe(`ObjectStore conformance: ${name}`, () => {
    const withStore = (title: string, fn: (s: ObjectStore) => Promise<void>, skip: string | false = false): void => {
      it(title, { skip }, async () => {
        const store = await factory();
        try {
          await fn(store);
        } finally {
          await store.close();
        }
      });
    };

    withStore('round-trips an object, overwrites it, and reports size in head and list', async (s) => {
      await s.put('a/b', Buffer.from('hello'));
      assert.equal((await s.get('a/b')).toString(), 'hello');
      await s.put('a/b', Buffer.from('hello, again'));
      assert.equal((await s.get('a/b')).toString(), 'hello, again');
      const info = await s.head('a/b');
      assert.equal(info?.key, 'a/b');
      assert.equal(info?.size, 12);
      assert.ok(info && Math.abs(info.mtimeMs - Date.now()) < 10 * 60_000, 'mtime is near now');
      const page = await s.listPage('');
      assert.deepEqual(page.items.map((i) => [i.key, i.size]), [['a/b', 12]]);
      assert.equal(page.next, undefined);
    });

    withStore('get reads into the buffer alloc gives', async (s) => {
      const body = randomBytes(MiB + 3);
      await s.put('into', body);
      const given: Buffer[] = [];
      const back = await s.get('into', (length) => {
        assert.equal(length, body.length, 'alloc is asked for the object length');
        const buf = Buffer.alloc(length, 0xee);
        given.push(buf);
        return buf;
      });
      assert.ok(back.equals(body), 'the object read back equals the one written');
      assert.equal(given.length, can.readsIntoAlloc ? 1 : 0, 'alloc is called once per get where the store reads into it');
      if (can.readsIntoAlloc) assert.equal(back, given[0], 'the body is the buffer alloc gave');
      await assert.rejects(
        s.get('nope', () => assert.fail('alloc is not called for a missing object')),
        ObjectNotFound,
      );
    });

    withStore('stores empty objects', async (s) => {
      await s.put('empty', new Uint8Array(0));
      assert.equal((await s.get('empty')).length, 0);
      assert.equal((await s.head('empty'))?.size, 0);
      assert.equal((await s.getRange('empty', 0, 10)).length, 0);
      assert.equal((await s.getRange('empty', 5, 10)).length, 0);
      assert.deepEqual((await s.listPage('')).items.map((i) => [i.key, i.size]), [['empty', 0]]);
    });

    withStore('round-trips a 64 MiB object byte for byte', async (s) => {
      const body = randomBytes(64 * MiB);
      await s.put('big', body);
      assert.equal((await s.head('big'))?.size, body.length);
      const back = await s.get('big');
      assert.equal(back.length, body.length);
      assert.ok(back.equals(body), 'the object read back equals the one written');
      const tail = await s.getRange('big', body.length - 1000, 5000);
      assert.ok(tail.equals(body.subarray(body.length - 1000)));
      const mid = await s.getRange('big', 32 * MiB - 7, MiB);
      assert.ok(mid.equals(body.subarray(32 * MiB - 7, 33 * MiB - 7)));
    });

    withStore('reads ranges at the edges and past the end', async (s) => {
      await s.put('r', Buffer.from('0123456789'));
      const cases: [number, number, string][] = [
        [0, 10, '0123456789'],
        [0, 1, '0'],
        [3, 4, '3456'],
        [9, 1, '9'],
        [9, 5, '9'],
        [5, 2 ** 40, '56789'],
        [0, 0, ''],
        [4, 0, ''],
        [10, 1, ''],
        [10, 0, ''],
        [100, 5, ''],
      ];
      for (const [offset, length, want] of cases) {
        assert.equal((await s.getRange('r', offset, length)).toString(), want, `getRange(${offset}, ${length})`);
      }
    });

    withStore('reports missing keys: ObjectNotFound from get and getRange, null from head', async (s) => {
      await s.put('present', Buffer.from('x'));
      for (const read of [() => s.get('absent'), () => s.getRange('absent', 0, 4), () => s.getRange('absent', 0, 0)]) {
        await assert.rejects(read(), (err: unknown) => err instanceof ObjectNotFound && err.key === 'absent');
      }
      assert.equal(await s.head('absent'), null);
      assert.equal(await s.head('present/child'), null);
      await assert.rejects(s.get('pres'), ObjectNotFound);
    });

    withStore('deletes, and deleting missing keys succeeds', async (s) => {
      await s.put('d/1', Buffer.from('1'));
      await s.put('d/2', Buffer.from('2'));
      await s.delete('d/1');
      await s.delete('d/1');
      await s.delete('never/was');
      assert.equal(await s.head('d/1'), null);
      await assert.rejects(s.get('d/1'), ObjectNotFound);
      assert.deepEqual(await keysOf(s), ['d/2']);
      await s.deleteMany([]);
      await s.deleteMany(['d/2', 'd/404', 'x/y/z']);
      assert.deepEqual(await keysOf(s), []);
    });

    withStore('lists more keys than one page, with prefixes and small pages', async (s) => {
      const keys = Array.from({ length: 1100 }, (_, i) => `many/${pad(i)}`);
      await pool(keys, 32, (k) => s.put(k, Buffer.from(k)));
      for (const k of ['man', 'other/1']) await s.put(k, Buffer.from(k));

      const first = await s.listPage('many/');
      assert.equal(first.items.length, 1000);
      assert.notEqual(first.next, undefined);
      const second = await s.listPage('many/', first.next);
      assert.equal(second.items.length, 100);
      assert.equal(second.next, undefined);
      assert.deepEqual([...first.items, ...second.items].map((i) => i.key), keys);
      assert.equal(second.items[5]!.size, Buffer.byteLength(keys[1005]!));

      assert.deepEqual(await keysOf(s), ['man', ...keys, 'other/1']);
      assert.deepEqual(await keysOf(s, 'man'), ['man', ...keys]);
      assert.deepEqual(await keysOf(s, 'many/001'), keys.slice(100, 200));
      assert.deepEqual(await keysOf(s, 'nothing/'), []);

      // Small pages: every key exactly once, in order.
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await s.listPage('many/000', token, 7);
        assert.ok(page.items.length <= 7);
        seen.push(...page.items.map((i) => i.key));
        token = page.next;
        pages++;
      } while (token !== undefined);
      assert.deepEqual(seen, keys.slice(0, 100));
      assert.ok(pages >= 15, `100 keys in pages of 7 take at least 15 pages, took ${pages}`);

      await s.deleteMany(keys);
      assert.deepEqual(await keysOf(s), ['man', 'other/1']);
    });

    withStore(
      'lists in byte order where keys sort between a prefix and its contents, across pages',
      async (s) => {
        const keys = ['a-b', 'a.c', 'a/b-c', 'a/b/c', 'a/b0', 'a0', 'ab', 'b'];
        for (const k of [...keys].reverse()) await s.put(k, Buffer.from(k));
        assert.deepEqual(await keysOf(s), keys);
        for (const limit of [1, 2, 3]) {
          const seen: string[] = [];
          let token: string | undefined;
          do {
            const page = await s.listPage('', token, limit);
            seen.push(...page.items.map((i) => i.key));
            token = page.next;
          } while (token !== undefined);
          assert.deepEqual(seen, keys, `pages of ${limit}`);
        }
        assert.deepEqual(await keysOf(s, 'a/b'), ['a/b-c', 'a/b/c', 'a/b0']);
      },
      !can.byteOrderAcrossPrefixes && 'this backend lists in another order (see StoreSupports)',
    );

    withStore('keeps keys with unicode, spaces and punctuation, listed in byte order', async (s) => {
      const keys = [
        'u/dir with space/file name',
        'u/ü ñ 日本語/ok',
        'u/emoji 🙂',
        'u/\uFFFD replacement',
        'u/+plus=eq&amp?q#h',
        'u/100% literal%20',
        'u/.leading dot',
        'u/%2E',
        'u/~tilde',
      ];
      for (const k of keys) await s.put(k, Buffer.from(`body of ${k}`));
      for (const k of keys) assert.equal((await s.get(k)).toString(), `body of ${k}`);
      for (const k of keys) assert.equal((await s.head(k))?.size, Buffer.byteLength(`body of ${k}`));
      assert.deepEqual(await keysOf(s, 'u/'), [...keys].sort(byteOrder));
      assert.deepEqual(await keysOf(s, 'u/ü'), ['u/ü ñ 日本語/ok']);
    });

    withStore('puts many keys in parallel', async (s) => {
      const keys = Array.from({ length: 200 }, (_, i) => `p/${i % 7}/${pad(i)}`);
      await Promise.all(keys.map((k) => s.put(k, Buffer.from(`v-${k}`))));
      await Promise.all(keys.map(async (k) => assert.equal((await s.get(k)).toString(), `v-${k}`)));
      assert.deepEqual(await keysOf(s), [...keys].sort(byteOrder));
    });

    withStore('concurrent puts to one key leave one whole body, never a torn one', async (s) => {
      const bodies = Array.from({ length: 12 }, (_, i) => Buffer.alloc(MiB + i * 4099, 0x41 + i));
      const readers: Promise<void>[] = [];
      const writers = bodies.map((b) => s.put('contended', b));
      // Readers racing the writers see either no object or one whole body.
      for (let i = 0; i < 6; i++) {
        readers.push(
          s.get('contended').then(
            (got) => assert.ok(bodies.some((b) => b.equals(got)), 'a read during the puts sees a whole body'),
            (err: unknown) => assert.ok(err instanceof ObjectNotFound, String(err)),
          ),
        );
      }
      await Promise.all([...writers, ...readers]);
      const final = await s.get('contended');
      assert.ok(bodies.some((b) => b.equals(final)), 'the final object is one of the written bodies');
      assert.deepEqual(await keysOf(s), ['contended']);
    }, !can.atomicOverwrite && 'this backend may tear concurrent overwrites (see StoreSupports)');

    withStore('the retry wrapper over injected faults loses no call and repeats none in effect', async (s) => {
      const counted = withCounting(s);
      const faulty = withFaultInjection(counted, { failRate: 0.3, failAfterPut: 0.2, seed: 42 });
      let r = 7;
      const store = withRetry(faulty, {
        attempts: 30,
        baseDelayMs: 1,
        maxDelayMs: 4,
        random: () => ((r = (r * 48271) % 2147483647) / 2147483647),
      });
      const keys = Array.from({ length: 60 }, (_, i) => `f/${pad(i)}`);
      await pool(keys, 8, async (k) => {
        await store.put(k, Buffer.from(`one ${k}`));
        await store.put(k, Buffer.from(`two ${k}`));
      });
      await pool(keys, 8, async (k) => assert.equal((await store.get(k)).toString(), `two ${k}`));
      await store.deleteMany(keys.slice(0, 30));
      await store.delete(keys[30]!);
      assert.deepEqual(await keysOf(store), keys.slice(31));

      const f = faulty.faults;
      assert.ok(f.failedBefore.put > 0 && f.failedAfterPut > 0, 'faults were injected');
      // Each logical put reached the store once, plus once more per reply lost after it.
      assert.equal(f.reached.put, 120 + f.failedAfterPut);
      assert.equal(counted.counts.put.requests, f.reached.put);
      // Every body is the same size, so the bytes sent count the same puts.
      assert.equal(counted.counts.put.bytesUp, f.reached.put * Buffer.byteLength('one f/00000'));
    });
  });
}
