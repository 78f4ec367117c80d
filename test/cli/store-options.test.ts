import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeStoreFlags, parseStoreOptionList, storeOptionItems } from '../../src/cli/store-options.js';
import { mountpointSlug } from '../../src/cli/locations.js';
import { describeFailure, EXIT_FAILURE, EXIT_USAGE } from '../../src/cli/exit.js';
import { NotFormatted, UsageError } from '../../src/errors.js';

test('store options from -o, and flags winning over them', () => {
  const fromO = parseStoreOptionList(['endpoint=http://a:1,region=r1', 'path_style,passwd_file=/p,profile=x']);
  assert.deepEqual(fromO, { endpoint: 'http://a:1', region: 'r1', pathStyle: true, passwdFile: '/p', profile: 'x' });
  assert.deepEqual(mergeStoreFlags(fromO, { endpoint: 'http://b:2' }).endpoint, 'http://b:2');
  assert.deepEqual(parseStoreOptionList(storeOptionItems(fromO)), fromO);
});

test('a mount option where only store options apply is refused by name', () => {
  assert.throws(() => parseStoreOptionList(['allow_other']), /unknown option "allow_other": only endpoint=/);
  assert.throws(() => parseStoreOptionList(['endpoint']), /needs a value/);
});

test('failures print one line; usage errors exit 2, others 1', () => {
  assert.deepEqual(describeFailure(new UsageError('bad\nthing')), { line: 'chunkfs: bad; thing', code: EXIT_USAGE });
  assert.equal(describeFailure(new NotFormatted('s3://b')).code, EXIT_FAILURE);
  assert.match(describeFailure(new TypeError('x is undefined')).line, /^chunkfs: internal error: x is undefined$/);
});

test('mountpoint slugs are readable and distinct', () => {
  assert.match(mountpointSlug('/mnt/data'), /^mnt_data-[0-9a-f]{8}$/);
  assert.notEqual(mountpointSlug('/a/b'), mountpointSlug('/a_b'));
});
