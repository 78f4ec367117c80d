import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AlreadyFormatted, NotFormatted, UsageError } from '../../src/errors.js';
import { MetadataError, SuperblockError } from '../../src/metadata/errors.js';
import { LEASE_KEY, objectKey, SUPERBLOCK_KEY } from '../../src/metadata/layout.js';
import { openMetadata } from '../../src/metadata/sqlite.js';
import { createFilesystemDb, formatStore, readSuperblock } from '../../src/metadata/superblock.js';
import { ROOT_INO } from '../../src/metadata/types.js';
import { MemStore } from '../../src/store/mem.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('chunkfs-sb');
const MiB = 1024 * 1024;

test('format writes a superblock that reads back; 4 MiB chunks by default', async () => {
  const store = new MemStore();
  const before = Date.now();
  const sb = await formatStore(store);
  assert.equal(sb.formatVersion, 1);
  assert.equal(sb.chunkSize, 4 * MiB);
  assert.match(sb.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.ok(sb.createdMs >= before && sb.createdMs <= Date.now());
  assert.deepEqual(await readSuperblock(store), sb);
  assert.deepEqual(JSON.parse((await store.get(SUPERBLOCK_KEY)).toString()), sb);
  const other = await formatStore(new MemStore(), { chunkSize: MiB });
  assert.equal(other.chunkSize, MiB);
  assert.notEqual(other.uuid, sb.uuid);
});

test('format refuses a formatted store unless forced; force deletes the old chunks and snapshots', async () => {
  const store = new MemStore();
  const first = await formatStore(store);
  await store.put(objectKey('00aa00aa00aa00aa'), Buffer.from('x'));
  await store.put('meta/000000000001.db.gz', Buffer.from('x'));
  await store.put(LEASE_KEY, Buffer.from('{}'));
  await store.put('unrelated', Buffer.from('keep'));
  await assert.rejects(formatStore(store), AlreadyFormatted);
  assert.deepEqual(await readSuperblock(store), first, 'a refused format changes nothing');
  assert.ok(await store.head(objectKey('00aa00aa00aa00aa')));

  const second = await formatStore(store, { force: true, chunkSize: 8 * MiB });
  assert.notEqual(second.uuid, first.uuid);
  assert.deepEqual(await readSuperblock(store), second);
  const keys = (await store.listPage('')).items.map((i) => i.key);
  assert.deepEqual(keys, [SUPERBLOCK_KEY, 'unrelated']);
});

test('force-format pages through more than one listing page', async () => {
  const store = new MemStore();
  await formatStore(store);
  for (let i = 0; i < 2500; i++) await store.put(objectKey(i.toString(16).padStart(16, '0')), Buffer.alloc(1));
  await formatStore(store, { force: true });
  assert.deepEqual((await store.listPage('chunks/')).items, []);
});

test('bad chunk sizes are a UsageError and write nothing', async () => {
  const store = new MemStore();
  for (const chunkSize of [0, -MiB, MiB / 2, 3 * MiB, 128 * MiB, 1.5 * MiB, NaN]) {
    await assert.rejects(formatStore(store, { chunkSize }), UsageError, String(chunkSize));
  }
  assert.equal(await store.head(SUPERBLOCK_KEY), null);
  for (const chunkSize of [MiB, 2 * MiB, 64 * MiB]) assert.equal((await formatStore(new MemStore(), { chunkSize })).chunkSize, chunkSize);
});

test('readSuperblock: NotFormatted when missing, SuperblockError when malformed or newer', async () => {
  const store = new MemStore();
  await assert.rejects(readSuperblock(store), NotFormatted);
  const good = { formatVersion: 1, uuid: '2f1d7a4c-5b0e-4c8e-9a61-3d2b7e9f0c11', chunkSize: MiB, createdMs: 1 };
  const cases: [unknown, RegExp][] = [
    ['{not json', /not valid JSON/],
    [[], /formatVersion/],
    [{ ...good, formatVersion: 2 }, /format version 2.*upgrade/],
    [{ ...good, uuid: 42 }, /uuid/],
    [{ ...good, chunkSize: 1000 }, /chunkSize/],
    [{ ...good, createdMs: 'yesterday' }, /createdMs/],
  ];
  for (const [body, message] of cases) {
    await store.put(SUPERBLOCK_KEY, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
    await assert.rejects(readSuperblock(store), (err: unknown) => err instanceof SuperblockError && message.test(err.message));
  }
  await store.put(SUPERBLOCK_KEY, Buffer.from(JSON.stringify(good)));
  assert.deepEqual(await readSuperblock(store), good);
});

test('createFilesystemDb makes the root; openMetadata refuses another filesystem or a missing file', async () => {
  const sb = await formatStore(new MemStore(), { chunkSize: MiB });
  const path = join(dir, 'fs.db');
  createFilesystemDb(path, sb, { uid: 123, gid: 456, nowMs: 789 });
  const meta = openMetadata(path, sb);
  assert.deepEqual(meta.getattr(ROOT_INO), {
    ino: 1, kind: 'dir', perm: 0o755, uid: 123, gid: 456, nlink: 2, size: 4096, atimeMs: 789, mtimeMs: 789, ctimeMs: 789, rdev: 0,
  });
  meta.close();
  createFilesystemDb(join(dir, 'me.db'), sb);
  const mine = openMetadata(join(dir, 'me.db'), sb);
  assert.equal(mine.getattr(ROOT_INO).uid, process.getuid!());
  mine.close();
  assert.throws(() => openMetadata(path, { ...sb, uuid: '00000000-0000-4000-8000-000000000000' }), MetadataError);
  assert.throws(() => openMetadata(path, { ...sb, chunkSize: 2 * MiB }), MetadataError);
  assert.throws(() => openMetadata(join(dir, 'missing.db'), sb), MetadataError);
});
