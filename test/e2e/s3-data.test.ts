import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { listAll, type ObjectStore } from '../../src/store/types.js';
import { mountOk, mountSandbox, mountStatus, s3rverCli, umountOk } from '../helpers/mount.js';
import { openS3rverStore, startS3rver, type S3rverHandle } from '../helpers/s3rver.js';

/*
 * A filesystem on s3rver over HTTP, mounted through the CLI: big copies, 128 KiB writes,
 * metadata-only renames, remounts, and a restore from the bucket alone.
 */
const box = mountSandbox('chunkfs-e2e-s3');
let server: S3rverHandle;
let store: ObjectStore;
let cli: { args: string[]; env: NodeJS.ProcessEnv };
const URL = 's3://test/fs';
const mnt = box.mountpoint('m1');
const big = join(box.root, 'random.bin');

before(async () => {
  server = await startS3rver();
  store = await openS3rverStore(server, { prefix: 'fs' });
  cli = s3rverCli(server.endpoint);
  const f = await box.cli(['format', URL, ...cli.args], { env: cli.env });
  assert.equal(f.code, 0, f.stderr);
  await mountOk(box, [URL, mnt, ...cli.args], cli.env);
  const r = await box.sh(`head -c 256M /dev/urandom > ${big}`);
  assert.equal(r.code, 0);
});
after(async () => {
  await store?.close();
  await server?.stop();
});

const chunkKeys = async (): Promise<Set<string>> => {
  const keys = new Set<string>();
  for await (const o of listAll(store, 'chunks/')) keys.add(o.key);
  return keys;
};

test('cp of a 256 MiB random file reads back identical, written in 128 KiB requests', async () => {
  const before = await mountStatus(box, mnt);
  const cp = await box.sh(`cp ${big} ${mnt}/random.bin && cmp ${big} ${mnt}/random.bin`);
  assert.equal(cp.code, 0, cp.stderr);
  const s = await mountStatus(box, mnt);
  const writes = s.fuseWrites.count - before.fuseWrites.count;
  const bytes = s.fuseWrites.bytes - before.fuseWrites.bytes;
  assert.equal(bytes, 256 * 2 ** 20);
  assert.equal(s.fuseWrites.largest, 131072);
  assert.equal(writes, 2048, 'big_writes: 256 MiB arrive as 2048 writes of 128 KiB');
  assert.equal(s.dirtyBytes, 0, 'close() uploaded everything');
  assert.equal((await chunkKeys()).size, 64, '256 MiB in 4 MiB chunks');
});

test('renaming a large file uploads nothing', async () => {
  const keys = await chunkKeys();
  const before = await mountStatus(box, mnt);
  const r = await box.sh(`mkdir ${mnt}/moved && mv ${mnt}/random.bin ${mnt}/moved/renamed.bin && stat -c %s ${mnt}/moved/renamed.bin`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${256 * 2 ** 20}\n`);
  const s = await mountStatus(box, mnt);
  assert.equal(s.uploadedObjects, before.uploadedObjects);
  assert.deepEqual(await chunkKeys(), keys);
});

test('unmount and remount keeps everything', async () => {
  await box.sh(`mkdir -p ${mnt}/d/e && echo hello > ${mnt}/d/e/f && ln -s e/f ${mnt}/d/l && chmod 640 ${mnt}/d/e/f`);
  const u = await umountOk(box, mnt);
  assert.match(u.stdout, /unmounted .*m1 \(uploaded \d+ objects/);
  assert.equal((await box.sh(`ls -A ${mnt}`)).stdout, '', 'the mountpoint is empty again');
  await mountOk(box, [URL, mnt, ...cli.args], cli.env);
  const r = await box.sh(`cmp ${big} ${mnt}/moved/renamed.bin && cat ${mnt}/d/l && stat -c %a ${mnt}/d/e/f`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello\n640\n');
});

test('a mount on another directory with the local metadata and cache deleted restores from the bucket', async () => {
  await umountOk(box, mnt);
  rmSync(box.localDir, { recursive: true, force: true });
  const other = box.mountpoint('m2');
  await mountOk(box, [URL, other, ...cli.args], cli.env);
  const r = await box.sh(`cmp ${big} ${other}/moved/renamed.bin && cat ${other}/d/e/f`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello\n');
  const s = await mountStatus(box, other);
  assert.equal(s.chunkSize, 4 * 2 ** 20);
  assert.match(s.lease, / pid \d+ since /);
  await umountOk(box, other);
});
