import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initChecksum } from '../../src/chunker/checksum.js';
import { openFileData } from '../../src/chunker/file-data.js';
import { Journal } from '../../src/chunker/journal.js';
import { FsError } from '../../src/errors.js';
import { bytes, openDataPath } from '../helpers/data-path.js';
import { StoreSpy } from '../helpers/store-spy.js';
import { tempDir } from '../helpers/tmp.js';

const CS = 64 * 1024;

test('journal entries round-trip; an entry is removed only up to the version it holds', async () => {
  await initChecksum();
  const dir = tempDir();
  const journal = new Journal(dir);
  await journal.write(3, 1, 10, Buffer.from('ten'));
  await journal.write(3, 1, 12, Buffer.from('twelve'));
  await journal.remove(3, 1, 11); // an older commit must not remove the newer entry
  const { entries } = await new Journal(dir).scan();
  assert.deepEqual(entries.map((e) => [e.ino, e.idx, e.data.toString()]), [[3, 1, 'twelve']]);
  await journal.remove(3, 1, 12);
  assert.deepEqual(readdirSync(dir), []);
});

test('a torn or corrupt entry is discarded with a log line', async (t) => {
  await initChecksum();
  const dir = tempDir();
  const journal = new Journal(dir);
  await journal.write(1, 0, 1, Buffer.from('good'));
  await journal.write(2, 0, 2, Buffer.from('flipped'));
  await journal.write(3, 0, 3, Buffer.from('torn off'));
  const flipped = readFileSync(join(dir, '2-0'));
  flipped[flipped.length - 1] ^= 1;
  writeFileSync(join(dir, '2-0'), flipped);
  writeFileSync(join(dir, '3-0'), readFileSync(join(dir, '3-0')).subarray(0, 42));
  writeFileSync(join(dir, '.tmp-4-0'), 'half');
  const log = t.mock.method(console, 'error', () => {});
  const { entries, discarded } = await new Journal(dir).scan();
  assert.deepEqual(entries.map((e) => e.data.toString()), ['good']);
  assert.equal(discarded, 2);
  assert.equal(log.mock.callCount(), 2);
  assert.deepEqual(readdirSync(dir), ['1-0']);
});

test('in default mode nothing goes to the journal', async () => {
  const { fd, cacheDir } = await openDataPath({ chunkSize: CS });
  await fd.write(1, 0, bytes(3 * CS));
  await fd.flush(1);
  await fd.close();
  assert.deepEqual(readdirSync(join(cacheDir, 'journal')), []);
});

test('journaled chunks leave the journal once committed', async () => {
  const { fd, cacheDir, map } = await openDataPath({ chunkSize: CS });
  const data = bytes(2 * CS);
  await fd.write(1, 0, data);
  await fd.journal(1);
  await fd.flush(1);
  await fd.close();
  assert.equal(map.getChunks(1, 0, 10).length, 2);
  assert.deepEqual(readdirSync(join(cacheDir, 'journal')), []);
});

test('after a crash, recover() uploads and commits journaled chunks; a corrupt entry is discarded', async (t) => {
  const first = await openDataPath({ chunkSize: CS });
  const old = bytes(3 * CS);
  await first.fd.write(1, 0, old);
  await first.fd.flush(1);

  // Writeback mode: the writes reach the journal, the uploads never finish ("crash").
  first.store.holdPuts();
  const fresh = bytes(3 * CS);
  await first.fd.write(1, 0, fresh);
  await first.fd.write(2, 5, Buffer.from('small file'));
  await first.fd.journal(1);
  await first.fd.journal(2);
  const dir = join(first.cacheDir, 'journal');
  assert.deepEqual(readdirSync(dir).sort(), ['1-0', '1-1', '1-2', '2-0']);
  const torn = readFileSync(join(dir, '1-2'));
  torn[100] ^= 0xff;
  writeFileSync(join(dir, '1-2'), torn);

  const log = t.mock.method(console, 'error', () => {});
  const store = new StoreSpy(first.mem);
  const fd = await openFileData(store, first.map, { chunkSize: CS, cacheDir: first.cacheDir, readahead: 0 });
  assert.deepEqual(await fd.recover(), { chunks: 3, bytes: 2 * CS + 15 });
  assert.equal(log.mock.callCount(), 1);
  assert.match(String(log.mock.calls[0].arguments[0]), /ino=1 idx=2/);
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(first.map.size(2), 15, 'recovery raises the size to the journaled data');

  const expected = Buffer.concat([fresh.subarray(0, 2 * CS), old.subarray(2 * CS)]);
  const cold = new StoreSpy(first.mem);
  const reader = await openFileData(cold, first.map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  assert.deepEqual(await reader.read(1, 3 * CS, 0, 3 * CS), expected);
  assert.equal((await reader.read(2, 15, 0, 15)).toString('latin1'), '\0\0\0\0\0small file');
  await reader.close();
  await fd.close();

  // Let the stuck uploads of the crashed instance fail without committing.
  first.store.failPuts = true;
  first.store.releasePuts();
  await assert.rejects(first.fd.flushAll());
});

test('a newer version replaces an older journal entry before it is committed', async (t) => {
  t.mock.method(console, 'error', () => {});
  const { fd, store, cacheDir, map } = await openDataPath({ chunkSize: CS });
  store.failPuts = true;
  await fd.write(1, 0, Buffer.from('older'));
  await fd.journal(1);
  await assert.rejects(fd.flush(1));
  store.failPuts = false;
  await fd.write(1, 0, Buffer.from('NEWER'));
  store.holdPuts();
  const flushing = fd.flush(1);
  await store.heldAtLeast(1);
  // While the commit of the newer version is pending, the journal already holds it: a crash
  // now (or between commit and cleanup) recovers the newer version, never the older.
  const { entries } = await new Journal(join(cacheDir, 'journal')).scan();
  assert.deepEqual(entries.map((e) => e.data.toString()), ['NEWER']);
  store.releasePuts();
  await flushing;
  await fd.close();
  assert.deepEqual(readdirSync(join(cacheDir, 'journal')), []);
  assert.equal(map.getChunk(1, 0)!.len, 5);
});

test('recovery that cannot upload rejects with EIO and keeps the entries for the next try', async (t) => {
  t.mock.method(console, 'error', () => {});
  const first = await openDataPath({ chunkSize: CS });
  first.store.holdPuts();
  await first.fd.write(1, 0, Buffer.from('keep me'));
  await first.fd.journal(1);

  const down = new StoreSpy(first.mem);
  down.failPuts = true;
  const fd = await openFileData(down, first.map, { chunkSize: CS, cacheDir: first.cacheDir, readahead: 0 });
  await assert.rejects(fd.recover(), (err: unknown) => err instanceof FsError && err.errno === 'EIO');
  assert.deepEqual(readdirSync(join(first.cacheDir, 'journal')), ['1-0']);
  down.failPuts = false;
  assert.deepEqual(await fd.recover(), { chunks: 1, bytes: 7 });
  assert.equal((await fd.read(1, 7, 0, 7)).toString(), 'keep me');
  await fd.close();

  first.store.failPuts = true;
  first.store.releasePuts();
  await assert.rejects(first.fd.flushAll());
});
