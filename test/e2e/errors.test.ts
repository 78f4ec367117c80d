import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { isAlive, readRecord } from '../../src/cli/runtime.js';
import { CLI, mountOk, mountSandbox, mountStatus, s3rverCli, umountOk } from '../helpers/mount.js';
import { findMount } from '../../src/fuse/mountinfo.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';

/* Each mount-time mistake gets one clear line; the lease, ro, mount.chunkfs and an outside umount. */
const box = mountSandbox('chunkfs-e2e-errors');
const storeDir = join(box.root, 'store');
const URL = `file://${storeDir}`;
const m1 = box.mountpoint('m1');
let server: S3rverHandle;

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, /^chunkfs: /);
  return lines[0]!;
}

before(async () => {
  server = await startS3rver();
  const f = await box.cli(['format', URL]);
  assert.equal(f.code, 0, f.stderr);
  await mountOk(box, [URL, m1]);
});
after(async () => {
  await box.cli(['umount', m1]);
  await server?.stop();
});

test('a second writable mount of one filesystem fails naming the holder; ro needs no lease', async () => {
  const { pid } = await mountStatus(box, m1);
  const m2 = box.mountpoint('m2');
  const r = await box.cli(['mount', URL, m2]);
  assert.equal(r.code, 1);
  assert.match(oneLine(r.stderr), new RegExp(`filesystem is mounted writable by \\S+ pid ${pid} since .*use --force`));
  const ro = await box.cli(['mount', URL, m2, '-o', `ro,cache_dir=${join(box.root, 'ro-cache')}`]);
  assert.equal(ro.code, 0, ro.stderr);
  const w = await box.sh(`touch ${m2}/nope 2>&1`);
  assert.notEqual(w.code, 0);
  assert.match(w.stdout, /Read-only file system/);
  const s = await mountStatus(box, m2);
  assert.equal(s.readOnly, true);
  assert.equal(s.lease, null);
  await umountOk(box, m2);
});

test('-o nonempty mounts over a non-empty directory, which shows again afterwards', async () => {
  const m = box.mountpoint('full');
  writeFileSync(join(m, 'under'), 'x');
  const r = await box.cli(['mount', URL, m, '-o', `ro,nonempty,cache_dir=${join(box.root, 'ne-cache')}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch((await box.sh(`ls ${m}`)).stdout, /under/);
  await umountOk(box, m);
  assert.equal((await box.sh(`ls ${m}`)).stdout, 'under\n');
});

test('mountpoint already mounted', async () => {
  const r = await box.cli(['mount', URL, m1]);
  assert.equal(r.code, 1);
  assert.match(oneLine(r.stderr), new RegExp(`${m1} is already mounted \\(fuse\\.chunkfs from file://${storeDir}\\)`));
});

test('status of a mount: uuid, chunk size, files, dirty bytes, lease, writes', async () => {
  await box.sh(`echo hi > ${m1}/a && mkdir ${m1}/d`);
  const r = await box.cli(['status', m1]);
  assert.equal(r.code, 0, r.stderr);
  for (const field of ['mountpoint:', 'store:', 'uuid:', 'chunk size:', 'files:', 'dirty:', 'uploaded:', 'last snapshot:', 'lease:', 'fuse writes:']) {
    assert.ok(r.stdout.includes(field), `${field} in\n${r.stdout}`);
  }
  const s = await mountStatus(box, m1);
  assert.ok(s.files >= 3, `files ${s.files}`);
  assert.equal(s.dirtyBytes, 0);
});

test('wrong credentials, missing bucket, unreachable endpoint: one line each', async () => {
  const cli = s3rverCli(server.endpoint);
  const mnt = box.mountpoint('s3');
  const creds = await box.cli(['mount', 's3://test/x', mnt, ...cli.args], { env: { ...cli.env, AWS_ACCESS_KEY_ID: 'WRONG', AWS_SECRET_ACCESS_KEY: 'WRONG' } });
  assert.equal(creds.code, 1);
  assert.match(oneLine(creds.stderr), /access denied .*check the credentials/i);
  const bucket = await box.cli(['mount', 's3://no-such-bucket', mnt, ...cli.args], { env: cli.env });
  assert.equal(bucket.code, 1);
  assert.match(oneLine(bucket.stderr), /bucket does not exist: no-such-bucket/);
  const notFs = await box.cli(['mount', 's3://test/empty', mnt, ...cli.args], { env: cli.env });
  assert.match(oneLine(notFs.stderr), /does not hold a chunkfs filesystem \(run `chunkfs format` first\)/);
  const port = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
  const t0 = Date.now();
  const down = await box.cli(['mount', 's3://test', mnt, '--endpoint', `http://127.0.0.1:${port}`, '--path-style'], { env: cli.env });
  assert.equal(down.code, 1);
  assert.match(oneLine(down.stderr), /cannot reach the store/);
  assert.ok(Date.now() - t0 < 30_000, 'fails in seconds');
  const pw = join(box.root, 'passwd');
  writeFileSync(pw, 'S3RVER:S3RVER\n', { mode: 0o644 });
  const loose = await box.cli(['status', 's3://test', '--endpoint', server.endpoint, '--path-style', '--passwd-file', pw]);
  assert.match(oneLine(loose.stderr), /passwd/i);
});

test('mount.chunkfs, as mount(8) runs it, mounts with -o options', async () => {
  const m3 = box.mountpoint('m3');
  const r = await box.mountHelper([URL, m3, '-o', `rw,_netdev,ro,cache_dir=${join(box.root, 'helper-cache')}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`mounted file://${storeDir} on ${m3}`));
  const s = await mountStatus(box, m3);
  assert.equal(s.readOnly, true);
  await umountOk(box, m3);
});

test('an unmount from outside (fusermount -u) shuts the daemon down cleanly', async () => {
  const m4 = box.mountpoint('m4');
  await mountOk(box, [m4]);
  const { pid } = await mountStatus(box, m4);
  const r = await box.sh(`echo data > ${m4}/f && fusermount -u ${m4}`);
  assert.equal(r.code, 0, r.stderr);
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  assert.equal(isAlive(pid), false);
  const rec = readRecord(m4, box.runtimeDir);
  assert.equal(rec?.state, 'stopped');
  assert.equal(rec?.exitCode, 0);
  await mountOk(box, [m4]);
  assert.equal((await box.sh(`cat ${m4}/f`)).stdout, 'data\n');
  await umountOk(box, m4);
});

test('mount -f stays in the foreground, logs to stderr, and SIGTERM unmounts, closes and exits 0', async () => {
  const m = box.mountpoint('fg');
  const child = spawn(process.execPath, [CLI, 'mount', '-f', m], { env: box.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  for (let i = 0; i < 100 && !readRecord(m, box.runtimeDir); i++) await sleep(100);
  assert.match(stderr, /mounted file:\/\/.* on .*fg \(foreground; Ctrl-C unmounts\)/);
  assert.equal((await box.sh(`echo kept > ${m}/f`)).code, 0);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
  assert.equal(await findMount(m), undefined);
  assert.match(stderr, /stopping: received SIGTERM[\s\S]*filesystem closed/);
  await mountOk(box, [m]);
  assert.equal((await box.sh(`cat ${m}/f`)).stdout, 'kept\n');
  await umountOk(box, m);
});
