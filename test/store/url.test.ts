import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.js';
import { parseStoreUrl } from '../../src/store/url.js';
import { describeStore, openStore } from '../../src/store/open.js';
import { MemStore } from '../../src/store/mem.js';

test('parses the three store URL forms', () => {
  assert.deepEqual(parseStoreUrl('file:///var/lib/chunkfs'), { scheme: 'file', dir: '/var/lib/chunkfs' });
  assert.deepEqual(parseStoreUrl('file:///var/lib/my%20store/'), { scheme: 'file', dir: '/var/lib/my store' });
  assert.deepEqual(parseStoreUrl('file://localhost/srv'), { scheme: 'file', dir: '/srv' });
  assert.deepEqual(parseStoreUrl('s3://bucket'), { scheme: 's3', bucket: 'bucket', prefix: '' });
  assert.deepEqual(parseStoreUrl('s3://bucket/'), { scheme: 's3', bucket: 'bucket', prefix: '' });
  assert.deepEqual(parseStoreUrl('s3://bucket/fs/one/'), { scheme: 's3', bucket: 'bucket', prefix: 'fs/one/' });
  assert.deepEqual(parseStoreUrl('mem://'), { scheme: 'mem' });
});

test('an unknown scheme is a UsageError naming it and the accepted forms', () => {
  assert.throws(
    () => parseStoreUrl('ftp://host/dir'),
    (err: unknown) =>
      err instanceof UsageError && /"ftp:"/.test(err.message) && /file:\/\/\/abs\/dir/.test(err.message) &&
      /s3:\/\/bucket/.test(err.message) && /mem:\/\//.test(err.message),
  );
  assert.throws(() => parseStoreUrl('/abs/dir'), (err: unknown) => err instanceof UsageError && /file:\/\/\/abs\/dir/.test(err.message));
});

test('a relative file path is a UsageError', () => {
  for (const url of ['file://relative/dir', 'file:relative', 'file:./here', 'file:']) {
    assert.throws(() => parseStoreUrl(url), (err: unknown) => err instanceof UsageError && /absolute/.test(err.message), url);
  }
});

test('malformed S3 URLs are UsageErrors', () => {
  for (const url of ['s3:bucket', 's3://', 's3:///prefix', 's3://bu cket/x', 's3://b/../x']) {
    assert.throws(() => parseStoreUrl(url), UsageError, url);
  }
});

test('openStore rejects the same mistakes and opens mem:// bare', async () => {
  await assert.rejects(openStore('gopher://x'), UsageError);
  await assert.rejects(openStore('file://relative'), UsageError);
  const mem = await openStore('mem://');
  assert.ok(mem instanceof MemStore);
});

test('describeStore names the endpoint and never a password in it', () => {
  assert.equal(describeStore('s3://b/p/', { endpoint: 'http://user:secret@127.0.0.1:9000' }), 's3://b/p at http://127.0.0.1:9000');
  assert.equal(describeStore('file:///x/'), 'file:///x');
});
