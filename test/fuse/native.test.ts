import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { patchSource } from '../../src/fuse/native/build.js';
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

test('utimens sentinels: omit leaves a time, now is now, anything else is ms', () => {
  assert.equal(utimeArg(UTIME_OMIT_MS), undefined);
  assert.equal(utimeArg(UTIME_NOW_MS), 'now');
  assert.equal(utimeArg(1_500_000_000_000), 1_500_000_000_000);
  assert.ok(Number.isSafeInteger(UTIME_NOW_MS));
});
