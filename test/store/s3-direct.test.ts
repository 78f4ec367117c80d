import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { openStore } from '../../src/store/open.js';
import { SigV4Signer } from '../../src/store/sigv4.js';

const creds = { accessKeyId: 'AKEY', secretAccessKey: 'SECRET' };

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A loopback server that records each request and answers PUTs with 200 and GETs with `object`. */
async function recordingEndpoint(object: Buffer, host = '127.0.0.1'): Promise<{ endpoint: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const srv = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(parts) });
      if (req.method === 'PUT') res.writeHead(200, { etag: '"x"' }).end();
      else res.writeHead(200, { 'content-length': object.length }).end(object);
    });
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, resolve);
  });
  after(() => {
    srv.closeAllConnections();
    srv.close();
  });
  const name = host.includes(':') ? `[${host}]` : host;
  return { endpoint: `http://${name}:${(srv.address() as { port: number }).port}`, seen };
}

/** The signature the request carries equals the one computed again from what arrived. */
function assertSignedAsSent(r: Seen): void {
  const auth = String(r.headers['authorization']);
  const signed = /SignedHeaders=([^,]+)/.exec(auth)![1]!.split(';');
  const headers: Record<string, string> = {};
  for (const name of signed) if (!['host', 'x-amz-date', 'x-amz-content-sha256'].includes(name)) headers[name] = String(r.headers[name]);
  const date = String(r.headers['x-amz-date']);
  const when = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
  new SigV4Signer('us-east-1').sign(
    { method: r.method, host: String(r.headers['host']), path: r.url, query: '', headers, payloadSha256: String(r.headers['x-amz-content-sha256']) },
    creds,
    when,
  );
  assert.equal(auth, headers['authorization']);
}

test('object PUTs and GETs go out directly: the path with the prefix, the body with its hash, signed as sent', async () => {
  const object = Buffer.from('stored bytes');
  const { endpoint, seen } = await recordingEndpoint(object);
  const store = await openStore('s3://bkt/pre fix', { endpoint, pathStyle: true, region: 'us-east-1', credentials: creds });
  try {
    const small = Buffer.from('small body');
    const large = Buffer.alloc(300 * 1024, 7); // hashed off the event loop
    await store.put('chunks/a b', small);
    await store.put('chunks/large', large);
    assert.deepEqual(await store.get('chunks/a b'), object);

    assert.deepEqual(seen.map((r) => [r.method, r.url]), [
      ['PUT', '/bkt/pre%20fix/chunks/a%20b'],
      ['PUT', '/bkt/pre%20fix/chunks/large'],
      ['GET', '/bkt/pre%20fix/chunks/a%20b'],
    ]);
    for (const [i, body] of [small, large].entries()) {
      assert.deepEqual(seen[i]!.body, body);
      assert.equal(seen[i]!.headers['content-length'], String(body.length));
      assert.equal(seen[i]!.headers['x-amz-content-sha256'], createHash('sha256').update(body).digest('hex'));
    }
    for (const r of seen) {
      assert.match(String(r.headers['authorization']), /^AWS4-HMAC-SHA256 Credential=AKEY\/\d{8}\/us-east-1\/s3\/aws4_request, /);
      assertSignedAsSent(r);
    }
  } finally {
    await store.close();
  }
});

test('an IPv6 literal endpoint is reached', async (t) => {
  let target;
  try {
    target = await recordingEndpoint(Buffer.from('v6'), '::1');
  } catch (err) {
    t.skip(`no IPv6 loopback here: ${(err as Error).message}`);
    return;
  }
  const store = await openStore('s3://bkt', { endpoint: target.endpoint, pathStyle: true, region: 'us-east-1', credentials: creds });
  try {
    await store.put('k', Buffer.from('x'));
    assert.equal((await store.get('k')).toString(), 'v6');
    assert.equal(target.seen[0]!.headers['host'], target.endpoint.slice('http://'.length));
  } finally {
    await store.close();
  }
});
