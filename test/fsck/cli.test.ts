import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { objectKey } from '../../src/metadata/layout.js';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { run as runFsckCli } from '../../src/cli/fsck.js';
import { run as runGcCli } from '../../src/cli/gc.js';
import { acquireLease } from '../../src/metadata/lease.js';
import type { FsckReport } from '../../src/fsck/types.js';
import { damage } from './damage.js';
import { fileEnv } from './fixture.js';
import { tempDir } from '../helpers/tmp.js';

async function cli(args: string[]): Promise<number> {
  const write = process.stderr.write.bind(process.stderr);
  // The commands log every finding on stderr; the tests look at the exit codes.
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await main(args);
  } finally {
    process.stderr.write = write;
  }
}

test('fsck exit codes: 0 clean, 4 uncorrected, 1 corrected, through the command line', async () => {
  const env = await fileEnv();
  const url = `file://${env.storeDir}`;
  assert.equal(await cli(['fsck', url, '--cache-dir', env.localDir]), 0);
  await damage('wrong link count').apply(env);
  assert.equal(await cli(['fsck', url, '-o', `cache_dir=${env.localDir}`]), 4);
  assert.equal(await cli(['fsck', '--repair', url, '--cache-dir', env.localDir]), 1);
  assert.equal(await cli(['fsck', url, '--cache-dir', env.localDir, '--verify-data']), 0);
});

test('fsck exit codes: 8 operational error, 16 usage error', async () => {
  const empty = tempDir('chunkfs-fsck-empty');
  assert.equal(await cli(['fsck', `file://${empty}`, '--cache-dir', join(empty, 'local')]), 8, 'not formatted');
  assert.equal(await cli(['fsck']), 16, 'no store');
  assert.equal(await cli(['fsck', `file://${empty}`, '--repair=sometimes']), 16, 'bad --repair');
  assert.equal(await cli(['fsck', 'ftp://x/y']), 16, 'bad URL');
  assert.equal(await cli(['fsck', `file://${empty}`, '--grace', 'soon']), 16, 'bad --grace');
});

test('fsck --json: the report names the check, the file and the object', async () => {
  const env = await fileEnv();
  await damage('object missing from the store').apply(env);
  let text = '';
  const code = await runFsckCli({ store: `file://${env.storeDir}`, localDir: env.localDir, repair: false, json: true, out: (t) => (text += t), err: () => undefined });
  assert.equal(code, 4);
  const report = JSON.parse(text) as FsckReport;
  const missing = report.checks.find((c) => c.name === 'objects_missing')!;
  assert.equal(missing.errors, 1);
  assert.equal(missing.findings[0]!.path, '/a/b/f1');
  assert.equal(missing.findings[0]!.ino, env.ref.entries.get('/a/b/f1')!.ino);
  assert.match(missing.findings[0]!.objectId!, /^[0-9a-f]{16}$/);
  assert.equal(report.exitCode, 4);
});

test('fsck --repair is refused while a live mount holds the lease, unless --force (with a warning)', async () => {
  const env = await fileEnv();
  await damage('wrong link count').apply(env);
  const lease = await acquireLease(env.store, { ttlMs: 60_000 });
  try {
    const lines: string[] = [];
    const base = { store: `file://${env.storeDir}`, localDir: env.localDir, out: () => undefined, err: (l: string) => lines.push(l) };
    assert.equal(await runFsckCli({ ...base, repair: 'zero' }), 8);
    assert.match(lines.join('\n'), /mounted writable by/);
    assert.equal(await runFsckCli({ ...base, repair: false }), 4, 'checking is allowed');
    lines.length = 0;
    assert.equal(await runFsckCli({ ...base, repair: 'zero', force: true }), 1);
    assert.match(lines.join('\n'), /warning: repairing while a writable mount/);
  } finally {
    await lease.release();
  }
});

test('fsck without a local database checks the newest snapshot, and a repair uploads a new one', async () => {
  const env = await fileEnv();
  await damage('object missing from the store').apply(env);
  const base = { store: `file://${env.storeDir}`, localDir: join(env.localDir, 'elsewhere'), out: () => undefined, err: () => undefined };
  let text = '';
  assert.equal(await runFsckCli({ ...base, repair: false, json: true, out: (t) => (text += t) }), 4);
  assert.equal((JSON.parse(text) as FsckReport).source, 'snapshot');
  assert.equal(await runFsckCli({ ...base, repair: 'zero' }), 1);
  assert.equal(await runFsckCli({ ...base, repair: false }), 0, 'the new snapshot is clean');
});

test('gc deletes orphans and due deletions only, and --dry-run deletes nothing', async () => {
  const env = await fileEnv();
  await damage('orphan object').apply(env);
  await damage('due pending deletion').apply(env);
  const lines: string[] = [];
  const base = { store: `file://${env.storeDir}`, localDir: env.localDir, graceMs: 0, out: (l: string) => lines.push(l), err: () => undefined };
  assert.equal(await runGcCli({ ...base, dryRun: true }), 0);
  assert.match(lines.join('\n'), /would delete 1 orphan object\(s\), 100 bytes/);
  assert.match(lines.join('\n'), /would delete 1 retired object\(s\) whose deletion was due, 50 bytes/);
  lines.length = 0;
  assert.equal(await runGcCli(base), 0);
  assert.match(lines.join('\n'), /^deleted 1 orphan object\(s\), 100 bytes/m);
  lines.length = 0;
  assert.equal(await runGcCli(base), 0);
  assert.match(lines.join('\n'), /^deleted 0 orphan object\(s\)/m);
  assert.match(lines.join('\n'), /^deleted 0 retired/m);
  assert.equal(await cli(['fsck', `file://${env.storeDir}`, '--cache-dir', env.localDir]), 0);
});

test('gc never deletes an object chunk rows name, even when its objects row is gone', async () => {
  const env = await fileEnv();
  const ino = env.ref.entries.get('/a/f2')!.ino;
  const db = new Database(env.dbPath);
  const { id } = db.prepare('SELECT object_id AS id FROM chunks WHERE ino = ? AND idx = 0').get(ino) as { id: string };
  db.prepare('DELETE FROM objects WHERE id = ?').run(id);
  db.close();
  assert.equal(await runGcCli({ store: `file://${env.storeDir}`, localDir: env.localDir, graceMs: 0, out: () => undefined, err: () => undefined }), 0);
  assert.ok(await env.store.head(objectKey(id)), 'still in the store');
});
