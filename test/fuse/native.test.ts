import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { patchSource } from '../../src/fuse/native/build.js';
import { loadListedBinding } from '../../src/fuse/native-listed.js';
import { UTIME_NOW_MS, UTIME_OMIT_MS, utimeArg } from '../../src/fuse/utime.js';

test("the utimens fixes apply to fuse-native's own source, each exactly once", () => {
  const dir = dirname(createRequire(import.meta.url).resolve('fuse-native/package.json'));
  const out = patchSource(readFileSync(join(dir, 'fuse-native.c'), 'utf8'));
  assert.match(out, /FUSE_UINT64_TO_INTS_ARGV\(l->mtime, 5\)/);
  assert.doesNotMatch(out, /FUSE_UINT64_TO_INTS_ARGV\(l->atime, 5\)/);
  assert.match(out, /ops\.flag_utime_omit_ok = 1;/);
  assert.match(out, /l->mtime = chunkfs_utime_ms\(&tv\[1\]\);/);
  assert.throws(() => patchSource('int main() {}'), /expected exactly one/);
});

test('getattr looks in the listed attributes first, and the built addon has them', () => {
  const dir = dirname(createRequire(import.meta.url).resolve('fuse-native/package.json'));
  const out = patchSource(readFileSync(join(dir, 'fuse-native.c'), 'utf8'));
  assert.match(out, /ops\.getattr = chunkfs_getattr;/);
  assert.doesNotMatch(out, /ops\.getattr = fuse_native_getattr;/);
  for (const fn of ['chunkfs_listed_fill', 'chunkfs_listed_clear', 'chunkfs_listed_answered']) assert.match(out, new RegExp(`NAPI_EXPORT_FUNCTION\\(${fn}\\)`));
  // scripts/setup.sh builds it; the mount falls back to answering in JavaScript without it.
  const binding = loadListedBinding();
  assert.ok(binding, 'fuse-native runs the addon built by src/fuse/native/build.ts');
  assert.equal(typeof binding.chunkfs_listed_answered(), 'number');
  assert.throws(() => binding.chunkfs_listed_fill(Buffer.from('/a\0'), Buffer.alloc(4), 1, 1000), /fewer stat records/);
  assert.throws(() => binding.chunkfs_listed_fill(Buffer.from('/a'), Buffer.alloc(18 * 4), 1, 1000), /fewer paths/);
  binding.chunkfs_listed_clear();
});

test('utimens sentinels: omit leaves a time, now is now, anything else is ms', () => {
  assert.equal(utimeArg(UTIME_OMIT_MS), undefined);
  assert.equal(utimeArg(UTIME_NOW_MS), 'now');
  assert.equal(utimeArg(1_500_000_000_000), 1_500_000_000_000);
  assert.ok(Number.isSafeInteger(UTIME_NOW_MS));
});
