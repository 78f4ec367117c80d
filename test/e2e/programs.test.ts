import assert from 'node:assert/strict';
import { chmodSync, linkSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasUtimensFix } from '../../src/fuse/binding.js';
import { mountOk, mountSandbox, umountOk } from '../helpers/mount.js';

/*
 * Ordinary programs on a real mount of the embedded store: tar round trips, git, sqlite3.
 * attr_timeout=0: tar -c right after tar -x reads the link counts of names whose links
 * were made through other names, which the default attribute cache shows late.
 */
const box = mountSandbox('chunkfs-e2e-programs');
const mnt = box.mountpoint();
const src = join(box.root, 'src');
const out = join(box.root, 'out');

/** A source tree: 2,100 small files in nested dirs, symlinks, hard links, modes and mtimes. */
function makeTree(root: string): void {
  let n = 0;
  for (let d = 0; d < 30; d++) {
    const dir = join(root, `pkg${d}`, d % 3 === 0 ? 'lib/deep' : 'src');
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 70; f++, n++) {
      const file = join(dir, `file${f}.${f % 4 === 0 ? 'sh' : 'c'}`);
      writeFileSync(file, `/* ${n} */\n${'x'.repeat((n * 37) % 3000)}\n`);
      chmodSync(file, f % 4 === 0 ? 0o755 : f % 7 === 0 ? 0o600 : 0o644);
      utimesSync(file, 1_600_000_000 + n, 1_500_000_000 + n * 61);
    }
    symlinkSync(`file0.${'sh'}`, join(dir, 'link-to-0'));
    symlinkSync('../../nowhere', join(dir, 'dangling'));
    linkSync(join(dir, 'file1.c'), join(dir, 'hard-1'));
    linkSync(join(dir, 'file1.c'), join(dir, 'hard-2'));
  }
  chmodSync(join(root, 'pkg1'), 0o750);
}

/** `find` listing of type, mode, link count and size (mtimes are compared separately). */
const listing = (dir: string) => box.sh(`cd ${dir} && find . -printf '%p %y %m %n %s %l\\n' | sort`);
const mtimes = (dir: string) => box.sh(`cd ${dir} && find . ! -type l -type f -printf '%p %T@\\n' | sort`);

before(async () => {
  makeTree(src);
  mkdirSync(out);
  await mountOk(box, [mnt, '-o', 'attr_timeout=0']);
});
after(async () => {
  await box.cli(['umount', mnt]);
});

test('tar of a source tree into the mount and back out is identical: contents, types, modes, link counts', async () => {
  const r = await box.sh(`mkdir ${mnt}/tree && tar -C ${src} -cf - . | tar -C ${mnt}/tree -xpf - && tar -C ${mnt}/tree -cf - . | tar -C ${out} -xpf -`);
  assert.equal(r.code, 0, r.stderr);
  const d = await box.sh(`diff -r --no-dereference ${src} ${out}`);
  assert.equal(d.code, 0, d.stdout + d.stderr);
  const [a, b, inMount] = await Promise.all([listing(src), listing(out), listing(`${mnt}/tree`)]);
  assert.ok(a.stdout.split('\n').length > 2000);
  assert.equal(inMount.stdout, a.stdout, 'in the mount');
  assert.equal(b.stdout, a.stdout, 'after the round trip');
  const hard = await box.sh(`stat -c '%h %i' ${mnt}/tree/pkg0/lib/deep/hard-1 ${mnt}/tree/pkg0/lib/deep/file1.c`);
  const [h1, h2] = hard.stdout.trim().split('\n');
  assert.equal(h1, h2, 'hard links share inode number and count');
  assert.match(h1!, /^3 /);
});

test('tar keeps mtimes', async () => {
  // scripts/setup.sh builds fuse-native with the utimens fixes; without them mtimes are lost.
  assert.ok(hasUtimensFix(), 'fuse-native lacks the utimens fixes: run node dist/src/fuse/native/build.js');
  const [a, inMount] = await Promise.all([mtimes(src), mtimes(`${mnt}/tree`)]);
  assert.equal(inMount.stdout, a.stdout);
});

test('git init, add and commit inside the mount', async () => {
  const r = await box.sh(
    `cd ${mnt} && mkdir repo && cd repo && git init -q && cp -r ${src}/pkg2 . && git add . ` +
      `&& git -c user.name=t -c user.email=t@e commit -qm first && echo more >> pkg2/src/file1.c ` +
      `&& git -c user.name=t -c user.email=t@e commit -qam second && git log --oneline | wc -l && git status --porcelain && git fsck --no-progress 2>&1`,
  );
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^2\n/);
});

test('sqlite3 creates and queries a database inside the mount', async () => {
  const r = await box.sh(
    `cd ${mnt} && sqlite3 app.db "create table t(id integer primary key, v text); ` +
      `with recursive c(i) as (select 1 union all select i+1 from c where i < 5000) insert into t(v) select hex(randomblob(20)) from c; ` +
      `create index tv on t(v); select count(*), count(distinct v) from t; pragma integrity_check;"`,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '5000|5000\nok\n');
  const again = await box.sh(`sqlite3 ${mnt}/app.db "delete from t where id % 2 = 0; vacuum; select count(*) from t;"`);
  assert.equal(again.stdout, '2500\n', again.stderr);
});

test('xattrs, ERANGE for a short buffer, and an unlinked file still open', async () => {
  const py = [
    'import errno, os, ctypes',
    `p = "${mnt}/x.txt"`,
    'open(p, "w").write("data")',
    'os.setxattr(p, "user.k", b"v" * 3000)',
    'os.setxattr(p, "user.j", b"")',
    'print(sorted(os.listxattr(p)), len(os.getxattr(p, "user.k")), os.getxattr(p, "user.j"))',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'buf = ctypes.create_string_buffer(10)',
    'r = libc.getxattr(p.encode(), b"user.k", buf, 10)',
    'print(r, errno.errorcode[ctypes.get_errno()])',
    'fd = os.open(p, os.O_RDWR); os.unlink(p); os.write(fd, b"more"); print(os.fstat(fd).st_size, os.pread(fd, 8, 0)); os.close(fd)',
    'print(os.path.exists(p))',
  ].join('\n');
  const r = await box.sh(`python3 - <<'EOF'\n${py}\nEOF`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "['user.j', 'user.k'] 3000 b''\n-1 ERANGE\n4 b'more'\nFalse\n");
});

test('everything survives a remount', async () => {
  const sum = `cd ${mnt} && find tree repo app.db -type f -print0 | sort -z | xargs -0 md5sum | md5sum`;
  const before = await box.sh(sum);
  await umountOk(box, mnt);
  await mountOk(box, [mnt, '-o', 'attr_timeout=0']);
  const after = await box.sh(sum);
  assert.equal(after.stdout, before.stdout);
  const q = await box.sh(`sqlite3 ${mnt}/app.db "select count(*) from t" && cd ${mnt}/repo && git log --oneline | wc -l`);
  assert.equal(q.stdout, '2500\n2\n', q.stderr);
});

test('with attr_timeout=0, every name of a hard-linked file shows the new link count at once', async () => {
  const r = await box.sh(`cd ${mnt} && echo x > hl-a && stat -c %h hl-a >/dev/null && ln hl-a hl-b && ln hl-a hl-c && stat -c '%h %i' hl-a hl-b hl-c`);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(new Set(lines).size, 1, r.stdout);
  assert.match(lines[0]!, /^3 /);
});
