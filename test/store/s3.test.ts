import { after, before } from 'node:test';
import { openS3rverStore, startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { storeConformance } from './conformance.js';

let server: S3rverHandle;
let n = 0;

before(async () => {
  server = await startS3rver();
});
after(() => server?.stop());

// s3rver writes an object in place (concurrent puts to one key can mix bodies) and lists in
// the order of its file paths (`a/…` before `a-b`), losing keys across pages there. Real S3
// does neither; the two cases run against mem and file.
storeConformance('s3 (s3rver)', () => openS3rverStore(server, { prefix: `case${++n}` }), {
  atomicOverwrite: false,
  byteOrderAcrossPrefixes: false,
});
