import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StoreError, StoreUnavailable } from '../../src/errors.js';
import { FileStore } from '../../src/store/file.js';
import { openStore } from '../../src/store/open.js';
import { tempDir } from '../helpers/tmp.js';
import { storeConformance } from './conformance.js';

const root = tempDir('chunkfs-filestore');
let n = 0;
const freshDir = (): string => join(root, `s${++n}`);

storeConformance('file', () => openStore(`file://${freshDir()}`));

test('rejects keys that cannot name a file safely, with a clear error', async () => {
  const store = new FileStore(freshDir());
  for (const key of ['', '..', 'a/../b', 'a/./b', '.', '/a', 'a/', 'a//b', 'nul\0byte']) {
    for (const call of [() => store.put(key, Buffer.from('x')), () => store.get(key), () => store.delete(key)]) {
      await assert.rejects(call(), (err: unknown) => err instanceof StoreError && /invalid object key/.test(err.message), JSON.stringify(key));
    }
  }
});

test('escapes leading dots and percent signs on disk, so objects never look like temp files', async () => {
  const dir = freshDir();
  const store = new FileStore(dir);
  await store.put('.hidden/%2E', Buffer.from('1'));
  await store.put('%/..x', Buffer.from('2'));
  assert.deepEqual((await readdir(dir)).sort(), ['%25', '%2Ehidden']);
  assert.deepEqual(await readdir(join(dir, '%2Ehidden')), ['%252E']);
  assert.deepEqual(await readdir(join(dir, '%25')), ['%2E.x']);
  assert.deepEqual((await store.listPage('')).items.map((i) => i.key), ['%/..x', '.hidden/%2E']);
});

test('ignores leftovers of interrupted puts and removes emptied directories', async () => {
  const dir = freshDir();
  const store = new FileStore(dir);
  await store.put('chunks/ab/1', Buffer.from('one'));
  await writeFile(join(dir, 'chunks', 'ab', '.tmp-1-deadbeef'), 'torn');
  assert.deepEqual((await store.listPage('')).items.map((i) => i.key), ['chunks/ab/1']);
  assert.equal((await store.get('chunks/ab/1')).toString(), 'one');
  await store.put('chunks/cd/2', Buffer.from('two'));
  await store.delete('chunks/cd/2');
  assert.deepEqual((await readdir(join(dir, 'chunks'))).sort(), ['ab']);
});

test('a key that is also a "directory" of other keys fails clearly', async () => {
  const store = new FileStore(freshDir());
  await store.put('a/b', Buffer.from('x'));
  await assert.rejects(store.put('a', Buffer.from('y')), (err: unknown) => err instanceof StoreError && /a key cannot also be a prefix/.test(err.message));
  await store.put('c', Buffer.from('x'));
  await assert.rejects(store.put('c/d', Buffer.from('y')), StoreError);
  assert.equal(await store.head('a'), null);
});

test('checkAccess passes on a missing directory under a writable parent, fails on a file', async () => {
  const dir = freshDir();
  await new FileStore(join(dir, 'not', 'yet')).checkAccess();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'plain'), 'x');
  await assert.rejects(new FileStore(join(dir, 'plain')).checkAccess(), StoreUnavailable);
});

test('a process killed during puts leaves the old or the new object, never a torn one', async () => {
  const dir = freshDir();
  const MiB = 1024 * 1024;
  const module = pathToFileURL(join(import.meta.dirname, '../../src/store/file.js')).href;
  const script = `
    const { FileStore } = await import(${JSON.stringify(module)});
    const store = new FileStore(${JSON.stringify(dir)});
    await store.put('k', Buffer.alloc(${4 * MiB}, 0x41));
    process.stdout.write('ready\\n');
    for (let i = 1; ; i++) await store.put('k', Buffer.alloc(${4 * MiB}, 0x41 + (i % 26)));
  `;
  for (let round = 0; round < 3; round++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    await once(child.stdout, 'data');
    await new Promise((r) => setTimeout(r, 30 + round * 40));
    child.kill('SIGKILL');
    await exited;
    const body = await new FileStore(dir).get('k');
    assert.equal(body.length, 4 * MiB);
    assert.ok(body.every((b) => b === body[0]), 'the object is one whole body');
  }
});
