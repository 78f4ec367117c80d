import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { readPasswdFile } from '../../src/store/s3-credentials.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('chunkfs-passwd');
let n = 0;

async function passwdFile(text: string, mode = 0o600): Promise<string> {
  const path = join(dir, `passwd-${++n}`);
  await writeFile(path, text);
  await chmod(path, mode);
  return path;
}

test('reads ACCESS:SECRET, and prefers the line of the bucket in bucket:ACCESS:SECRET files', async () => {
  assert.deepEqual(await readPasswdFile(await passwdFile('AKIA1:sec/ret+1\n'), 'b'), { accessKeyId: 'AKIA1', secretAccessKey: 'sec/ret+1' });
  const multi = await passwdFile('# comment\n\nother:AK2:S2\nAK1:S1\nmine:AK3:S3\n');
  assert.deepEqual(await readPasswdFile(multi, 'mine'), { accessKeyId: 'AK3', secretAccessKey: 'S3' });
  assert.deepEqual(await readPasswdFile(multi, 'third'), { accessKeyId: 'AK1', secretAccessKey: 'S1' });
});

test('refuses a password file that group or others can access, saying how to fix it', async () => {
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    const path = await passwdFile('AK:TOPSECRET\n', mode);
    await assert.rejects(readPasswdFile(path, 'b'), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /group or others/);
      assert.match(err.message, /chmod 600/);
      assert.doesNotMatch(err.message, /TOPSECRET/);
      return true;
    });
  }
});

test('refuses a malformed password file, naming the line but not its contents', async () => {
  for (const text of ['JUSTONEFIELD-TOPSECRET\n', 'AK:\n', 'a:b:c:d-TOPSECRET\n', 'AK:S\n:x:TOPSECRET\n']) {
    const path = await passwdFile(text);
    await assert.rejects(readPasswdFile(path, 'b'), (err: unknown) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.match(err.message, /line \d+/);
      assert.doesNotMatch(err.message, /TOPSECRET/);
      return true;
    });
  }
  await assert.rejects(readPasswdFile(await passwdFile('other:AK:S\n'), 'b'), /no ACCESS_KEY:SECRET_KEY line for bucket b/);
  await assert.rejects(readPasswdFile(join(dir, 'absent'), 'b'), (err: unknown) => err instanceof UsageError && /ENOENT/.test(err.message));
});
