import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { initChecksum, xxh64Hex } from '../../src/chunker/checksum.js';
import { openChecker } from '../../src/metadata/checks-sqlite.js';
import { objectKey } from '../../src/metadata/layout.js';
import { openMetadata } from '../../src/metadata/sqlite.js';
import { createFilesystemDb, formatStore } from '../../src/metadata/superblock.js';
import { ROOT_INO } from '../../src/metadata/types.js';
import { mergeStoreAndMetadata } from '../../src/fsck/store-scan.js';
import { MemStore } from '../../src/store/mem.js';
import { tempDir } from '../helpers/tmp.js';
import { fired, fsck } from './verify.js';

test('store scan: the sorted merge stays right across many pages of both streams', async () => {
  await initChecksum();
  const store = new MemStore();
  const sb = await formatStore(store, { chunkSize: 1024 * 1024 });
  const localDir = join(tempDir('chunkfs-fsck-scan'), 'local');
  mkdirSync(join(localDir, sb.uuid), { recursive: true });
  const dbPath = join(localDir, sb.uuid, 'meta.db');
  createFilesystemDb(dbPath, sb);
  const meta = openMetadata(dbPath, sb, { synchronous: 'normal' });
  const ids: string[] = [];
  for (let i = 0; i < 2600; i++) {
    const ino = meta.mknod(ROOT_INO, Buffer.from(`f${i}`), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 }).ino;
    const data = randomBytes(8);
    const id = randomBytes(8).toString('hex');
    ids.push(id);
    await store.put(objectKey(id), data);
    meta.commitChunks(ino, [{ idx: 0, objectId: id, len: 8, xxh64: xxh64Hex(data) }], 8);
  }
  meta.close();
  // Two referenced objects vanish, three orphans appear, spread over the id space.
  const sorted = [...ids].sort();
  for (const id of [sorted[5]!, sorted[2000]!]) await store.delete(objectKey(id));
  for (const prefix of ['00', '80', 'ff']) await store.put(objectKey(`${prefix}${randomBytes(7).toString('hex')}`), randomBytes(3));

  const checker = openChecker(dbPath);
  let known = 0;
  let stored = 0;
  let both = 0;
  try {
    let last = '';
    for await (const o of mergeStoreAndMetadata(checker, store)) {
      assert.ok(o.objectId! > last, 'ascending, each id once');
      last = o.objectId!;
      if (o.known && o.stored) both++;
      else if (o.known) known++;
      else stored++;
    }
  } finally {
    checker.close();
  }
  assert.deepEqual({ both, known, stored }, { both: 2598, known: 2, stored: 3 });

  const r = await fsck({ store, localDir, dbPath, ref: { sb, entries: new Map() } });
  assert.deepEqual(fired(r).errors, ['objects_missing', 'objects_orphaned']);
  assert.equal(r.checks.find((c) => c.name === 'objects_missing')!.errors, 2);
  assert.equal(r.checks.find((c) => c.name === 'objects_orphaned')!.errors, 3);
});
