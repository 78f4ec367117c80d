import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initChecksum, xxh64Hex } from '../../src/chunker/checksum.js';
import { openFileData } from '../../src/chunker/file-data.js';
import { Journal } from '../../src/chunker/journal.js';
import { readJournal } from '../../src/chunker/journal-read.js';
import { cancelEntry, readCancels, RECORD_HEADER, readSegment } from '../../src/chunker/journal-record.js';
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
  assert.deepEqual(await found(dir), [[3, 1, 'twelve']]);
  await journal.write(4, 0, 1, Buffer.from('four'));
  await journal.remove(3, 1, 12);
  assert.deepEqual(await found(dir), [[4, 0, 'four']], 'a removal record cancels the entry for a later reader');
  await journal.remove(4, 0, Infinity);
  await journal.close();
  assert.deepEqual(readdirSync(dir), [], 'segments nothing lives in are deleted');
});

test('a torn or corrupt record is skipped with a log line, and reading goes on after it', async (t) => {
  await initChecksum();
  const dir = tempDir();
  const journal = new Journal(dir);
  await journal.write(1, 0, 1, Buffer.from('good'));
  await journal.write(2, 0, 2, Buffer.from('flipped'));
  await journal.write(5, 0, 5, Buffer.from('after a hole'));
  await journal.write(6, 0, 6, Buffer.from('after a bad header'));
  await journal.write(3, 0, 3, Buffer.from('torn off'));
  await journal.close();
  const [name] = readdirSync(dir);
  const segment = readFileSync(join(dir, name));
  const at = offsets(segment);
  segment[at.get('2-0')! + RECORD_HEADER] ^= 1; // data
  segment[at.get('6-0')! + 20] ^= 1; // header
  // A hole before (5, 0): bytes reserved for a write that a crash cut off; then a torn tail.
  const hole = Buffer.alloc(64);
  const damaged = Buffer.concat([segment.subarray(0, at.get('5-0')), hole, segment.subarray(at.get('5-0'), segment.length - 3)]);
  writeFileSync(join(dir, name), damaged);
  const log = t.mock.method(console, 'error', () => {});
  const { entries, discarded } = await new Journal(dir).scan();
  assert.deepEqual(entries.map((e) => e.data.toString()).sort(), ['after a hole', 'good']);
  assert.equal(discarded, 4);
  assert.equal(log.mock.callCount(), 4);
  const lines = log.mock.calls.map((c) => String(c.arguments[0]));
  assert.ok(lines.some((l) => /ino=2 idx=0: checksum mismatch/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /ino=3 idx=0: torn/.test(l)), lines.join('\n'));
  assert.equal(lines.filter((l) => /unreadable bytes/.test(l)).length, 2, lines.join('\n'));
});

test('a record stops counting when committed or replaced, and its segment goes as soon as nothing in it counts', async () => {
  await initChecksum();
  const dir = tempDir();
  const MiB = 1024 * 1024;
  const journal = new Journal(dir, 15 * MiB);
  // Records this big are written off the main thread.
  const big = (fill: number, mib: number): Buffer => Buffer.alloc(mib * MiB, fill);
  await journal.write(1, 0, 1, big(1, 5)); // segment 1
  await journal.write(2, 0, 1, big(2, 5)); // segment 1
  await journal.write(3, 0, 1, big(3, 10)); // segment 2
  await journal.remove(2, 0, 1);
  assert.deepEqual((await found(dir)).map(([i]) => i), [1, 3]);
  await journal.write(1, 0, 2, big(9, 10)); // segment 3, replacing (1, 0) in segment 1
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.log')), ['0000000000000002.log', '0000000000000003.log'], 'segment 1 went');
  await journal.remove(3, 0, 1);
  assert.deepEqual(readdirSync(dir), ['0000000000000003.log'], 'segment 2 went with its .del; the active one stays');
  await journal.close();
  const again = new Journal(dir);
  const { entries } = await again.scan();
  assert.deepEqual(entries.map((e) => [e.ino, e.data.length, e.data[0]]), [[1, 10 * MiB, 9]]);
  await again.write(5, 0, 1, Buffer.from('new'));
  await again.removeRecovered(1, 0);
  await again.remove(5, 0, 1);
  await again.close();
  assert.deepEqual(readdirSync(dir), []);
});

test('an entry that is never committed keeps only its own segment', async () => {
  await initChecksum();
  const dir = tempDir();
  const journal = new Journal(dir, 1024);
  const stuck = Buffer.alloc(200, 's');
  await journal.write(1, 0, 1, stuck); // never committed
  for (let i = 0; i < 60; i++) {
    await journal.write(2, i, 1, Buffer.alloc(300, i));
    await journal.remove(2, i, 1);
    await journal.settled();
    const segments = readdirSync(dir).filter((n) => n.endsWith('.log'));
    assert.ok(segments.length <= 2, `${segments.join(' ')} after ${i + 1} writes`);
  }
  assert.ok(readdirSync(dir).includes('0000000000000001.log'), 'the stuck entry\'s segment stays');
  assert.deepEqual(await found(dir), [[1, 0, stuck.toString()]]);
  await journal.remove(1, 0, 1);
  await journal.close();
  assert.deepEqual(readdirSync(dir), []);
});

test('a torn or zeroed cancellation cancels nothing', () => {
  const entries = Buffer.concat([cancelEntry(4096), Buffer.alloc(16), cancelEntry(8), cancelEntry(24).subarray(0, 9)]);
  entries[2 * 16 + 15] ^= 1; // the check of the third entry
  assert.deepEqual([...readCancels(entries)], [4096]);
});

test('entries of the earlier one-file-per-entry format are recovered, then their files removed', async (t) => {
  await initChecksum();
  const dir = tempDir();
  const legacy = (ino: number, idx: number, data: Buffer): Buffer => {
    const header = Buffer.alloc(40);
    header.write('CFSJ', 0, 'latin1');
    header.writeUInt8(1, 4);
    header.writeBigUInt64BE(BigInt(ino), 8);
    header.writeBigUInt64BE(BigInt(idx), 16);
    header.writeUInt32BE(data.length, 24);
    Buffer.from(xxh64Hex(data), 'hex').copy(header, 32);
    return Buffer.concat([header, data]);
  };
  writeFileSync(join(dir, '7-1'), legacy(7, 1, Buffer.from('from before')));
  writeFileSync(join(dir, '8-0'), legacy(8, 1, Buffer.from('wrong name')));
  writeFileSync(join(dir, '.tmp-9-0'), 'half');
  const log = t.mock.method(console, 'error', () => {});
  const journal = new Journal(dir);
  const { entries, discarded } = await journal.scan();
  assert.deepEqual(entries.map((e) => [e.ino, e.idx, e.data.toString()]), [[7, 1, 'from before']]);
  assert.equal(discarded, 1);
  assert.match(String(log.mock.calls[0].arguments[0]), /8-0: header does not match its name/);
  assert.deepEqual(readdirSync(dir), ['7-1']);
  await journal.removeRecovered(7, 1);
  await journal.close();
  assert.deepEqual(readdirSync(dir), []);
});

/** [ino, idx, data] of every entry a fresh reader of `dir` would recover. */
async function found(dir: string): Promise<Array<[number, number, string]>> {
  const { entries } = await readJournal(dir);
  return entries.map((e): [number, number, string] => [e.ino, e.idx, e.data.toString()]).sort((a, b) => a[0] - b[0]);
}

/** Offset of each record in a segment, by `ino-idx`. */
function offsets(segment: Buffer): Map<string, number> {
  return new Map(readSegment(segment).records.map((r) => [`${r.ino}-${r.idx}`, r.offset]));
}

/** Flips a byte of the data of (ino, idx)'s record in the journal's one segment. */
function corruptRecord(dir: string, ino: number, idx: number): void {
  const [name] = readdirSync(dir).filter((n) => n.endsWith('.log'));
  const segment = readFileSync(join(dir, name));
  segment[offsets(segment).get(`${ino}-${idx}`)! + RECORD_HEADER + 100] ^= 0xff;
  writeFileSync(join(dir, name), segment);
}

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
  assert.deepEqual((await found(dir)).map(([ino, idx]) => `${ino}-${idx}`), ['1-0', '1-1', '1-2', '2-0']);
  corruptRecord(dir, 1, 2);

  const log = t.mock.method(console, 'error', () => {});
  const store = new StoreSpy(first.mem);
  const fd = await openFileData(store, first.map, { chunkSize: CS, cacheDir: first.cacheDir, readahead: 0 });
  assert.deepEqual(await fd.recover(), { chunks: 3, bytes: 2 * CS + 15 });
  assert.equal(log.mock.callCount(), 1);
  assert.match(String(log.mock.calls[0].arguments[0]), /ino=1 idx=2/);
  assert.deepEqual(await found(dir), []);
  assert.equal(first.map.size(2), 15, 'recovery raises the size to the journaled data');

  const expected = Buffer.concat([fresh.subarray(0, 2 * CS), old.subarray(2 * CS)]);
  const cold = new StoreSpy(first.mem);
  const reader = await openFileData(cold, first.map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  assert.deepEqual(await reader.read(1, 3 * CS, 0, 3 * CS), expected);
  assert.equal((await reader.read(2, 15, 0, 15)).toString('latin1'), '\0\0\0\0\0small file');
  await reader.close();
  await fd.close();
  assert.deepEqual(readdirSync(dir), [], 'the crashed run\'s segment went once nothing in it lived');

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
  assert.deepEqual(await found(join(first.cacheDir, 'journal')), [[1, 0, 'keep me']]);
  down.failPuts = false;
  assert.deepEqual(await fd.recover(), { chunks: 1, bytes: 7 });
  assert.equal((await fd.read(1, 7, 0, 7)).toString(), 'keep me');
  await fd.close();

  first.store.failPuts = true;
  first.store.releasePuts();
  await assert.rejects(first.fd.flushAll());
});
