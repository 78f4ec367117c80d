import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { mountOk, mountSandbox, mountStatus, umountOk } from '../helpers/mount.js';

/* kill -9 of the daemon in the middle of a copy: umount clears the dead mount, a remount recovers, fsynced files are intact. */
const box = mountSandbox('chunkfs-e2e-crash');
const mnt = box.mountpoint();
const sums = join(box.root, 'fsynced.md5');

test('kill -9 during a copy: umount clears, remount recovers, every fsynced file is intact', async () => {
  await mountOk(box, [mnt]);
  const w = await box.sh(
    `cd ${mnt} && mkdir safe && for i in $(seq 1 20); do head -c $((i * 150000)) /dev/urandom | dd of=safe/f$i bs=64k iflag=fullblock conv=fsync status=none || exit 1; done && md5sum safe/* > ${sums}`,
  );
  assert.equal(w.code, 0, w.stderr);
  const { pid } = await mountStatus(box, mnt);

  const copy = spawn('/bin/sh', ['-c', `head -c 2G /dev/urandom | dd of=${mnt}/big bs=1M iflag=fullblock status=none`], { stdio: 'ignore' });
  const copyDone = new Promise((r) => copy.on('close', r));
  await sleep(1500);
  process.kill(pid, 'SIGKILL');
  await copyDone;
  const dead = await box.sh(`stat ${mnt} 2>&1`);
  assert.match(dead.stdout, /Transport endpoint is not connected/);

  const again = await box.cli(['mount', mnt]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /is a dead mount .*chunkfs umount/);

  const u = await box.cli(['umount', mnt]);
  assert.equal(u.code, 0, u.stderr);
  assert.match(u.stdout, new RegExp(`cleared the dead mount ${mnt} \\(daemon pid ${pid} was gone\\); mount it again to recover`));

  await mountOk(box, [mnt]);
  const check = await box.sh(`cd ${mnt} && md5sum -c --quiet ${sums} && ls safe | wc -l`);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.equal(check.stdout, '20\n');
  const s = await mountStatus(box, mnt);
  assert.notEqual(s.pid, pid);
  await umountOk(box, mnt);
});
