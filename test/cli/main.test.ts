import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { mountSandbox } from '../helpers/mount.js';

const box = mountSandbox('chunkfs-cli');

/** Every user mistake: exactly one line on stderr, starting `chunkfs: `, and no stack. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line, got: ${stderr}`);
  assert.match(lines[0]!, /^chunkfs: /);
  assert.doesNotMatch(stderr, /\n\s+at /);
  return lines[0]!;
}

test('--help explains with examples; no arguments is a usage error', async () => {
  const h = await box.cli(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /Examples:/);
  assert.match(h.stdout, /mount/);
  const m = await box.cli(['mount', '--help']);
  assert.match(m.stdout, /allow_other/);
  assert.match(m.stdout, /chunkfs mount s3:\/\/my-bucket\/fs \/mnt\/data/);
  const none = await box.cli([]);
  assert.equal(none.code, 2);
});

test('unknown command, unknown flag, unknown -o option: one line, exit 2', async () => {
  const c = await box.cli(['frobnicate']);
  assert.equal(c.code, 2);
  assert.match(oneLine(c.stderr), /unknown command 'frobnicate'/);
  const f = await box.cli(['format', 'file:///tmp/x', '--bogus']);
  assert.equal(f.code, 2);
  assert.match(oneLine(f.stderr), /unknown option '--bogus'/);
  const mnt = box.mountpoint();
  const o = await box.cli(['mount', mnt, '-o', 'allow_other,frobnicate']);
  assert.equal(o.code, 2);
  assert.match(oneLine(o.stderr), /unknown mount option "frobnicate"/);
});

test('missing mountpoint, non-empty mountpoint, not a directory', async () => {
  const missing = await box.cli(['mount', join(box.root, 'nowhere')]);
  assert.equal(missing.code, 1);
  assert.match(oneLine(missing.stderr), /mountpoint .*nowhere does not exist/);
  const full = box.mountpoint();
  writeFileSync(join(full, 'x'), 'x');
  const ne = await box.cli(['mount', full]);
  assert.equal(ne.code, 1);
  assert.match(oneLine(ne.stderr), /is not empty \(mount over it anyway with -o nonempty\)/);
  const file = join(box.root, 'afile');
  writeFileSync(file, '');
  assert.match(oneLine((await box.cli(['mount', file])).stderr), /is not a directory/);
  assert.match(oneLine((await box.cli(['mount'])).stderr), /mount needs a MOUNTPOINT/);
});

test('not a chunkfs store, and format then status of a store', async () => {
  const dir = join(box.root, 'store1');
  const url = `file://${dir}`;
  const nf = await box.cli(['mount', url, box.mountpoint()]);
  assert.equal(nf.code, 1);
  assert.match(oneLine(nf.stderr), /does not hold a chunkfs filesystem \(run `chunkfs format` first\)/);
  const f = await box.cli(['format', url, '--chunk-size', '1M']);
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stdout, /formatted file:\/\/.*store1: uuid [0-9a-f-]{36}, chunk size 1 MiB/);
  const again = await box.cli(['format', url]);
  assert.equal(again.code, 1);
  assert.match(oneLine(again.stderr), /already holds a chunkfs filesystem \(use --force/);
  const st = await box.cli(['status', url, '--json']);
  assert.equal(st.code, 0, st.stderr);
  const s = JSON.parse(st.stdout) as { chunkSize: number; lease: string | null; uuid: string };
  assert.equal(s.chunkSize, 2 ** 20);
  assert.equal(s.lease, null);
  const bad = await box.cli(['format', url, '--chunk-size', '3M', '--force']);
  assert.equal(bad.code, 2);
  assert.match(oneLine(bad.stderr), /chunk size must be a power of two/);
});

test('a bad store URL is a usage error', async () => {
  const r = await box.cli(['status', 'ftp://x']);
  assert.equal(r.code, 2);
  assert.match(oneLine(r.stderr), /unknown store URL scheme "ftp:"/);
});

test('umount and status of something that is not mounted', async () => {
  const mnt = box.mountpoint();
  const u = await box.cli(['umount', mnt]);
  assert.equal(u.code, 2);
  assert.match(oneLine(u.stderr), /is not mounted/);
  const s = await box.cli(['status', mnt]);
  assert.match(oneLine(s.stderr), /is not a chunkfs mount/);
});

test('mount.chunkfs: usage, and -f (fake) does nothing', async () => {
  const u = await box.mountHelper(['only-one']);
  assert.equal(u.code, 2);
  assert.match(oneLine(u.stderr), /usage: mount.chunkfs STORE MOUNTPOINT/);
  const fake = await box.mountHelper(['s3://b', box.mountpoint(), '-f', '-o', 'rw']);
  assert.equal(fake.code, 0);
});
