import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { fuseNativeOptions, libfuseOptions, parseDuration, parseMountOptions, parseSize, splitOptionList } from '../../src/fuse/options.js';

test('splits comma lists, repeated -o and escaped commas', () => {
  assert.deepEqual(splitOptionList(['a,b', 'c=1\\,2', ',,d']), ['a', 'b', 'c=1,2', 'd']);
});

test('sizes and durations', () => {
  assert.equal(parseSize('512M', 'x'), 512 * 2 ** 20);
  assert.equal(parseSize('2G', 'x'), 2 * 2 ** 30);
  assert.equal(parseSize('64KiB', 'x'), 65536);
  assert.equal(parseSize('1000', 'x'), 1000);
  assert.throws(() => parseSize('lots', 'cache_size'), /cache_size must be a size like 512M/);
  assert.equal(parseDuration('30', 'x'), 30_000);
  assert.equal(parseDuration('5m', 'x'), 300_000);
  assert.throws(() => parseDuration('soon', 'snapshot_interval'), /snapshot_interval must be a duration/);
});

test('fuse, chunkfs and store options land where they belong', () => {
  const o = parseMountOptions([
    'ro,allow_other,default_permissions,uid=1000,gid=100,umask=022,fmask=111,dmask=002',
    'entry_timeout=2,attr_timeout=1.5,negative_timeout=0,kernel_cache,nonempty,fsname=data,subtype=fuse.cfs',
    'cache_dir=/var/cache/cfs,cache_size=10G,cache_large_writes,writeback,upload_concurrency=8,snapshot_interval=5m',
    'endpoint=http://127.0.0.1:9000,region=eu-west-1,path_style,passwd_file=/etc/passwd-s3fs,profile=p',
  ]);
  assert.equal(o.readOnly, true);
  assert.equal(o.nonempty, true);
  assert.deepEqual(o.present, { uid: 1000, gid: 100, umask: 0o22, fmask: 0o111, dmask: 0o2 });
  assert.deepEqual(o.fuse, ['allow_other', 'default_permissions', 'entry_timeout=2', 'attr_timeout=1.5', 'negative_timeout=0', 'kernel_cache']);
  assert.equal(o.fsname, 'data');
  assert.equal(o.subtype, 'cfs');
  assert.deepEqual(o.fs, { cacheDir: '/var/cache/cfs', cacheSize: 10 * 2 ** 30, cacheLargeWrites: true, writeback: true, uploadConcurrency: 8, snapshotIntervalMs: 300_000 });
  assert.deepEqual(o.store, { endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', pathStyle: true, passwdFile: '/etc/passwd-s3fs', profile: 'p' });
});

test("mount(8)'s noise is accepted and ignored", () => {
  const o = parseMountOptions(['rw,defaults,_netdev,auto,noauto,user,nouser,exec,dev,suid,x-systemd.automount']);
  assert.deepEqual(o.fuse, ['default_permissions']);
  assert.equal(o.readOnly, false);
});

test('an unknown option or a bad value is a UsageError naming it', () => {
  assert.throws(() => parseMountOptions(['allow_other,frobnicate']), (e: unknown) => e instanceof UsageError && /unknown mount option "frobnicate"/.test(e.message));
  assert.throws(() => parseMountOptions(['uid=bob']), /uid must be a non-negative integer, not "bob"/);
  assert.throws(() => parseMountOptions(['umask=999']), /umask must be octal/);
  assert.throws(() => parseMountOptions(['cache_dir']), /mount option "cache_dir" needs a value/);
  assert.throws(() => parseMountOptions(['upload_concurrency=0']), /at least 1/);
});

test('libfuse gets big_writes, 128 KiB writes and real inode numbers, with fsname escaped', () => {
  const o = parseMountOptions(['ro,allow_other']);
  assert.deepEqual(libfuseOptions(o, 's3://b,c'), ['fsname=s3://b\\,c', 'subtype=chunkfs', 'big_writes', 'max_write=131072', 'use_ino', 'ro', 'allow_other', 'default_permissions']);
  const native = fuseNativeOptions(o, 's3://b');
  assert.equal(native.timeout, false);
  assert.equal(native.fsname, 's3://b,subtype=chunkfs,big_writes,max_write=131072,use_ino,ro,allow_other,default_permissions');
});
