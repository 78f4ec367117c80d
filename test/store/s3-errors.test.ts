import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BucketNotFound, ObjectNotFound, StoreAccessDenied, StoreError, StoreUnavailable, UsageError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import { openS3rverStore, s3rverOptions, startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { tempDir } from '../helpers/tmp.js';

let server: S3rverHandle;
const dir = tempDir('chunkfs-s3-errors');
const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 10, maxElapsedMs: 5000 };

before(async () => {
  server = await startS3rver({ buckets: ['test'] });
});
after(() => server?.stop());

/** A loopback HTTP server for failures s3rver cannot produce; closed after the file. */
async function fakeEndpoint(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const srv: Server = createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  after(() => {
    srv.closeAllConnections();
    srv.close();
  });
  const addr = srv.address() as { port: number };
  return `http://127.0.0.1:${addr.port}`;
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test('checkAccess passes on an existing bucket with good credentials', async () => {
  const store = await openS3rverStore(server);
  await store.checkAccess!();
  await store.close();
});

test('a missing bucket is BucketNotFound, from checkAccess and from data calls', async () => {
  const store = await openS3rverStore(server, { bucket: 'no-such-bucket' });
  for (const call of [() => store.checkAccess!(), () => store.put('k', Buffer.from('x')), () => store.get('k'), () => store.listPage('')]) {
    await assert.rejects(call(), (err: unknown) => err instanceof BucketNotFound && err.bucket === 'no-such-bucket');
  }
  await store.close();
});

// s3rver rejects an unknown access key but does not compute V4 signatures, so a wrong
// secret with its known key passes there (real S3 answers SignatureDoesNotMatch, mapped alike).
test('wrong credentials are StoreAccessDenied, and no secret appears in the error', async () => {
  const credentials = { accessKeyId: 'UNKNOWN-KEY-456', secretAccessKey: 'WRONG-SECRET-123' };
  const store = await openS3rverStore(server, { store: { credentials } });
  const calls = [() => store.checkAccess!(), () => store.put('k', Buffer.from('x')), () => store.get('k'), () => store.head('k')];
  for (const call of calls) {
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(err instanceof StoreAccessDenied, String(err));
      assert.match(err.message, /access denied \((InvalidAccessKeyId|HTTP 403)\); check the credentials/);
      assert.ok(err.message.includes(server.endpoint), err.message);
      assert.doesNotMatch(err.message, /WRONG-SECRET/);
      return true;
    });
  }
  await store.close();
});

test('credentials from an s3fs password file work; a readable one is refused', async () => {
  const path = join(dir, 'passwd-s3fs');
  await writeFile(path, 'test:S3RVER:S3RVER\n');
  await chmod(path, 0o600);
  const opts = { ...s3rverOptions(server), credentials: undefined, passwdFile: path };
  const store = await openStore('s3://test/pw', opts);
  await store.put('k', Buffer.from('via passwd file'));
  assert.equal((await store.get('k')).toString(), 'via passwd file');
  await store.close();
  await chmod(path, 0o644);
  await assert.rejects(openStore('s3://test/pw', opts), UsageError);
});

test('an unreachable endpoint fails fast, naming the endpoint', async () => {
  const endpoint = `http://127.0.0.1:${await closedPort()}`;
  const store = await openStore('s3://test', { ...s3rverOptions(server), endpoint, retry: fast });
  const t0 = Date.now();
  await assert.rejects(store.get('chunks/x'), (err: unknown) => {
    assert.ok(err instanceof StoreUnavailable, String(err));
    assert.ok(err.message.includes(endpoint), err.message);
    assert.match(err.message, /get "chunks\/x".*3 attempt\(s\).*ECONNREFUSED/);
    return true;
  });
  await assert.rejects(store.checkAccess!(), StoreUnavailable);
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
  await store.close();
});

test('an endpoint that accepts but never answers times out within the request timeout', async () => {
  const endpoint = await fakeEndpoint(() => {}); // never responds
  const store = await openStore('s3://test', {
    ...s3rverOptions(server),
    endpoint,
    timeouts: { connectMs: 300, requestMs: 300 },
    retry: { ...fast, attempts: 2 },
  });
  // head goes through the SDK; put and get are sent directly: all three must time out.
  for (const call of [() => store.head('k'), () => store.put('k', Buffer.from('x')), () => store.get('k')]) {
    const t0 = Date.now();
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailable, String(err));
      assert.ok(err.message.includes(endpoint), err.message);
      assert.match(err.message, /2 attempt.*no answer in time/);
      return true;
    });
    const took = Date.now() - t0;
    assert.ok(took >= 500 && took < 8000, `took ${took} ms`);
  }
  await store.close();
});

test('503 SlowDown is retried by the wrapper (the SDK itself makes one attempt per call)', async () => {
  let requests = 0;
  const endpoint = await fakeEndpoint((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      if (requests <= 2) {
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>');
      } else {
        res.writeHead(200, { etag: '"x"' });
        res.end();
      }
    });
  });
  const store = await openStore('s3://test', { ...s3rverOptions(server), endpoint, retry: { ...fast, attempts: 5 } });
  await store.put('k', Buffer.from('x'));
  assert.equal(requests, 3);
  await store.close();

  requests = -100; // always 503 from now on
  const once = await openStore('s3://test', { ...s3rverOptions(server), endpoint, retry: { ...fast, attempts: 2 } });
  await assert.rejects(once.put('chunks/k', Buffer.from('x')), (err: unknown) => {
    assert.ok(err instanceof StoreUnavailable);
    assert.match(err.message, /put "chunks\/k".*2 attempt\(s\).*throttled \(SlowDown\).*503/);
    assert.ok(err.cause instanceof StoreError && err.cause.status === 503);
    return true;
  });
  assert.equal(requests, -98);
  await once.close();
});

test('other HTTP failures are StoreError with the status, not retried', async () => {
  let requests = 0;
  const endpoint = await fakeEndpoint((req, res) => {
    requests++;
    req.resume();
    res.writeHead(400, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0"?><Error><Code>InvalidArgument</Code><Message>bad thing</Message></Error>');
  });
  const store = await openStore('s3://test', { ...s3rverOptions(server), endpoint, retry: fast });
  await assert.rejects(store.get('k'), (err: unknown) => {
    assert.ok(err instanceof StoreError && !(err instanceof ObjectNotFound));
    assert.equal(err.status, 400);
    assert.match(err.message, /InvalidArgument.*HTTP 400/);
    return true;
  });
  assert.equal(requests, 1);
  await store.close();
});

test('deleteMany deletes in batches of 1000 keys, each under the prefix', async () => {
  const batches: number[] = [];
  let prefixed = true;
  const endpoint = await fakeEndpoint((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const keys = [...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
      if (req.method === 'POST' && /[?&]delete/.test(req.url ?? '')) batches.push(keys.length);
      prefixed &&= keys.every((k) => k.startsWith('fs1/'));
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><DeleteResult></DeleteResult>');
    });
  });
  const store = await openStore('s3://test/fs1', { ...s3rverOptions(server), endpoint, retry: fast });
  await store.deleteMany(Array.from({ length: 2500 }, (_, i) => `k/${i}`));
  assert.deepEqual(batches, [1000, 1000, 500]);
  assert.ok(prefixed, 'every key carries the prefix');
  await store.close();
});

test('deleteMany over s3rver removes every key and ignores missing ones', async () => {
  const store = await openS3rverStore(server, { prefix: 'batches' });
  const keys = Array.from({ length: 2100 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
  await store.put(keys[0]!, Buffer.from('first'));
  await store.put(keys[1500]!, Buffer.from('middle'));
  await store.put(keys[2099]!, Buffer.from('last'));
  await store.deleteMany(keys);
  assert.deepEqual((await store.listPage('')).items, []);
  await store.close();
});
