import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { openS3rverStore, startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { tempDir } from '../helpers/tmp.js';
import { combine } from './damage.js';
import { buildReference, type FsEnv } from './fixture.js';
import { damageCycle } from './verify.js';

let server: S3rverHandle;
before(async () => {
  server = await startS3rver();
});
after(async () => {
  await server?.stop();
});

test('fsck on s3rver: several damages found, repaired, clean again, no other data lost', async () => {
  const store = await openS3rverStore(server, { prefix: 'fsck' });
  try {
    const localDir = join(tempDir('chunkfs-fsck-s3'), 'local');
    const ref = await buildReference(store, localDir);
    const env: FsEnv = { store, localDir, dbPath: join(localDir, ref.sb.uuid, 'meta.db'), ref };
    await damageCycle(
      env,
      combine([
        'dirty chunk left in the journal',
        'file unreachable from the root',
        'wrong object reference count',
        'object missing from the store',
        'object of the wrong size',
        'orphan object',
        'due pending deletion',
        'corrupt object (same size)',
      ]),
    );
  } finally {
    await store.close();
  }
});
