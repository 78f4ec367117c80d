import assert from 'node:assert/strict';
import { runFsck, type FsckOptions } from '../../src/fsck/fsck.js';
import { DAMAGED_XATTR, type FsckReport } from '../../src/fsck/types.js';
import { openFilesystem } from '../../src/vfs/filesystem.js';
import type { Damage, Effect } from './damage.js';
import { CHUNK, fingerprint, readAll, resolvePath, type FsEnv } from './fixture.js';

/** Two hours ahead: the objects a test just put count as older than the default grace period. */
export const LATER = (): number => Date.now() + 2 * 3600_000;

export function fsck(env: FsEnv, opts: Partial<FsckOptions> = {}): Promise<FsckReport> {
  return runFsck({ store: env.store, localDir: env.localDir, now: LATER, log: () => undefined, ...opts });
}

/** The checks that reported errors, and those that reported notes only. */
export function fired(r: FsckReport): { errors: string[]; notes: string[] } {
  return {
    errors: r.checks.filter((c) => c.errors > 0).map((c) => c.name).sort(),
    notes: r.checks.filter((c) => c.notes > 0 && c.errors === 0).map((c) => c.name).sort(),
  };
}

/**
 * The whole cycle for one damage: fsck finds exactly it and changes nothing; --repair
 * fixes it; a second fsck is clean; every file reads as the reference says (the damaged
 * chunks as zeros).
 */
export async function damageCycle(env: FsEnv, d: Damage, mode: 'zero' | 'lost' = 'zero'): Promise<void> {
  const effect = await d.apply(env);
  const verifyData = d.verifyData ?? false;
  const before = await fingerprint(env);
  const check = await fsck(env, { verifyData });
  assert.deepEqual(fired(check).errors, [...d.expect].sort(), `${d.name}: checks that fired`);
  for (const n of d.notes ?? []) assert.ok(fired(check).notes.includes(n), `${d.name}: note from ${n}`);
  assert.equal(check.exitCode, d.expect.length > 0 ? 4 : 0, `${d.name}: exit code of the check`);
  assert.equal(await fingerprint(env), before, `${d.name}: fsck without --repair changed something`);

  const repair = await fsck(env, { verifyData, repair: mode });
  assert.deepEqual(fired(repair).errors, [...d.expect].sort(), `${d.name}: checks that fired under --repair`);
  assert.equal(repair.exitCode, d.expect.length > 0 ? 1 : 0, `${d.name}: exit code of the repair`);
  if (d.expect.length > 0) assert.ok(repair.snapshot, `${d.name}: a snapshot is uploaded after the repair`);

  const again = await fsck(env, { verifyData });
  assert.deepEqual(fired(again).errors, [], `${d.name}: second fsck is clean`);
  assert.equal(again.exitCode, 0);
  await assertContents(env, effect, mode);
}

/** Where a reference path lives after the repair. */
function newPath(env: FsEnv, path: string, effect: Effect, mode: 'zero' | 'lost'): string {
  for (const m of effect.moved ?? []) {
    if (path === m || path.startsWith(`${m}/`)) return `/lost+found/#${env.ref.entries.get(m)!.ino}${path.slice(m.length)}`;
  }
  if (mode === 'lost' && effect.lostChunks?.has(path)) return `/lost+found/#${env.ref.entries.get(path)!.ino}`;
  return path;
}

/** Every file of the reference reads back as expected, through a freshly opened filesystem. */
export async function assertContents(env: FsEnv, effect: Effect, mode: 'zero' | 'lost' = 'zero'): Promise<void> {
  const fs = await openFilesystem({ store: env.store, localDir: env.localDir, snapshotIntervalMs: 0, warn: () => undefined });
  try {
    const { vfs } = fs;
    for (const [path, e] of env.ref.entries) {
      const at = newPath(env, path, effect, mode);
      const ino = await resolvePath(vfs, at);
      if (effect.removed?.includes(path)) {
        assert.equal(ino, null, `${path} is removed`);
        continue;
      }
      assert.equal(ino, e.ino, `${path} is at ${at}`);
      if (e.kind === 'symlink') assert.equal((await vfs.readlink(ino!)).toString(), e.target);
      if (e.kind !== 'file') continue;
      const want = Buffer.from(effect.contents?.get(path) ?? e.data!);
      const lost = effect.lostChunks?.get(path) ?? [];
      for (const idx of lost) want.fill(0, idx * CHUNK, Math.min(want.length, (idx + 1) * CHUNK));
      const got = await readAll(vfs, ino!);
      assert.equal(got.length, want.length, `${path}: size`);
      assert.ok(got.equals(want), `${path}: contents (lost chunks ${lost.join(',') || 'none'})`);
      if (lost.length > 0) assert.equal((await vfs.getxattr(ino!, DAMAGED_XATTR)).toString(), lost.sort().join(','));
    }
  } finally {
    await fs.close();
  }
}
