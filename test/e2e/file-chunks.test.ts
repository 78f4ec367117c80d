import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { mountSandbox, mountStatus, umountOk } from '../helpers/mount.js';

/* The embedded default store (a file store under the local dir): one byte changed in a 1 GiB file uploads one chunk. */
const box = mountSandbox('chunkfs-e2e-chunks');
const mnt = box.mountpoint();
const chunksDir = (): string => join(box.localDir, 'store', 'chunks');

/** Every chunk object in the file store, as relative paths. */
function chunkFiles(): Set<string> {
  const out = new Set<string>();
  let fan: string[] = [];
  try {
    fan = readdirSync(chunksDir());
  } catch {
    return out;
  }
  for (const d of fan) for (const f of readdirSync(join(chunksDir(), d))) out.add(`${d}/${f}`);
  return out;
}

test('the first mount of the embedded default store formats it and says where it mounted', async () => {
  const r = await box.cli(['mount', mnt]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^mounted file://${box.localDir}/store on ${mnt} \\(pid \\d+, log .*\\.log\\)\\n$`));
  const s = await mountStatus(box, mnt);
  assert.equal(s.store, `file://${box.localDir}/store`);
  assert.equal(s.chunkSize, 4 * 2 ** 20);
});

test('ls -l of a directory costs one request per entry: cached attributes, no SELinux label lookups', async () => {
  const made = await box.sh(`mkdir ${mnt}/many && cd ${mnt}/many && for i in $(seq 300); do : > f$i; done`);
  assert.equal(made.code, 0, made.stderr);
  const before = (await mountStatus(box, mnt)).fuseOps;
  const ls = await box.sh(`ls -l ${mnt}/many | wc -l`);
  assert.equal(ls.stdout.trim(), '301', ls.stderr);
  const after = (await mountStatus(box, mnt)).fuseOps;
  const delta = (op: string): number => (after[op]?.count ?? 0) - (before[op]?.count ?? 0);
  // One lookup per entry (plus a few for the directory itself); without the attribute
  // cache it was six requests per entry, two of them getxattr of security.selinux.
  assert.ok(delta('getattr') < 300 * 1.2, `getattr ${delta('getattr')}`);
  assert.ok(delta('getxattr') <= 3, `getxattr ${delta('getxattr')}`);
  const label = await box.sh(
    `python3 -c 'import os,sys\nfor f in (lambda: os.getxattr(sys.argv[1], "security.selinux"), lambda: os.setxattr(sys.argv[1], "security.selinux", b"x")):\n  try: f()\n  except OSError as e: print(e.strerror)' ${mnt}/many/f1`,
  );
  assert.equal(label.stdout, 'Operation not supported\nOperation not supported\n', label.stderr);
});

test("lookups after a listing are answered in libfuse's thread, as a fresh lookup would be, and a change drops them", async () => {
  const made = await box.sh(
    `mkdir ${mnt}/attrs && cd ${mnt}/attrs && truncate -s 3 a && chmod 640 a && touch -d @981173106.789 a && mkdir sub && ln -s a link && : > b && ln b b2`,
  );
  assert.equal(made.code, 0, made.stderr);
  const stats = `stat -c '%n %i %s %a %u %g %h %F %Y %X %Z %b' a sub link b b2`;
  // Each step first waits out the kernel's own caches (1 s), so every lookup reaches the daemon.
  const before = (await mountStatus(box, mnt)).fuseOps;
  const listed = await box.sh(`sleep 1.2 && cd ${mnt}/attrs && ls -f > /dev/null && ${stats}`);
  const after = (await mountStatus(box, mnt)).fuseOps;
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal((after['getattr-listed']?.count ?? 0) - (before['getattr-listed']?.count ?? 0), 5, 'the five lookups answered from the listing');
  const fresh = await box.sh(`sleep 1.2 && cd ${mnt}/attrs && ${stats}`);
  assert.equal(listed.stdout, fresh.stdout);
  assert.match(listed.stdout, /^a \d+ 3 640 .* 981173106 /m);
  // rm changes b2's link count: the listing, read before, must not answer for b2.
  const nlink = await box.sh(`sleep 1.2 && cd ${mnt}/attrs && ls -f > /dev/null && rm b && stat -c %h b2`);
  assert.equal(nlink.stdout, '1\n', nlink.stderr);
});

test('dd conv=notrunc of 1 byte into a 1 GiB file, then sync, uploads exactly one chunk', async () => {
  const w = await box.sh(`head -c 1G /dev/urandom | dd of=${mnt}/big bs=1M iflag=fullblock status=none`);
  assert.equal(w.code, 0, w.stderr);
  const before = chunkFiles();
  assert.equal(before.size, 256);
  const st0 = await mountStatus(box, mnt);
  const dd = await box.sh(`printf x | dd of=${mnt}/big bs=1 seek=123456789 conv=notrunc status=none && sync`);
  assert.equal(dd.code, 0, dd.stderr);
  const st1 = await mountStatus(box, mnt);
  assert.equal(st1.uploadedObjects - st0.uploadedObjects, 1);
  assert.equal(st1.uploadedBytes - st0.uploadedBytes, 4 * 2 ** 20, 'one whole 4 MiB chunk');
  const after = chunkFiles();
  const added = [...after].filter((k) => !before.has(k));
  assert.equal(added.length, 1, `new chunk objects: ${added.join(', ')}`);
  const back = await box.sh(`dd if=${mnt}/big bs=1 skip=123456789 count=1 status=none; stat -c %s ${mnt}/big`);
  assert.equal(back.stdout, `x${2 ** 30}\n`);
  await umountOk(box, mnt);
});
