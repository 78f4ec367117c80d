import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { PlainGetPool, decodeChunked, parseHead } from '../../src/store/http-get.js';
import { openStore } from '../../src/store/open.js';
import { ObjectNotFound } from '../../src/errors.js';

const creds = { accessKeyId: 'AKEY', secretAccessKey: 'SECRET' };

/** A loopback HTTP server answering with `handle`; counts its connections and requests. */
async function server(handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  let requests = 0;
  const sockets = new Set<net.Socket>();
  const srv = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => handle(req, res, requests));
  });
  srv.on('connection', (s: net.Socket) => sockets.add(s));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  after(() => {
    srv.closeAllConnections();
    srv.close();
  });
  const port = (srv.address() as { port: number }).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    get connections() {
      return sockets.size;
    },
    get requests() {
      return requests;
    },
    dropIdle: () => srv.closeIdleConnections(),
  };
}

const pool = (port: number, idleMs = 5000) => {
  const p = new PlainGetPool({ host: '127.0.0.1', port, hostHeader: `127.0.0.1:${port}`, connectMs: 2000, idleMs });
  after(() => p.close());
  return p;
};

test('a 200 with its length is read whole, and the socket serves the next GET', async () => {
  const big = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  const srv = await server((req, res) => {
    assert.equal(req.headers['x-test'], 'yes');
    assert.equal(req.headers['host'], `127.0.0.1:${srv.port}`);
    const body = req.url === '/big' ? big : Buffer.from('tiny');
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  const p = pool(srv.port);
  assert.deepEqual((await p.get('/big', { 'x-test': 'yes' })).body, big);
  assert.deepEqual((await p.get('/small', { 'x-test': 'yes' })).body, Buffer.from('tiny'));
  assert.deepEqual((await p.get('/big', { 'x-test': 'yes' })).body, big);
  assert.equal(srv.connections, 1, 'one kept-alive connection');
});

test('an error document comes back with its status; an answer without a length comes back without a body, its socket dropped', async () => {
  const srv = await server((req, res) => {
    const doc = '<Error><Code>NoSuchKey</Code></Error>';
    if (req.url === '/missing-with-length') res.writeHead(404, { 'content-length': doc.length }).end(doc);
    else if (req.url === '/missing') {
      res.writeHead(404, { 'content-type': 'application/xml' }); // chunked
      res.write(doc.slice(0, 10));
      setTimeout(() => res.end(doc.slice(10)), 10);
    } else {
      res.writeHead(200); // chunked: no length
      res.write('part one, ');
      res.end('part two');
    }
  });
  const p = pool(srv.port);
  assert.deepEqual(await p.get('/missing-with-length', {}), { status: 404, body: Buffer.from('<Error><Code>NoSuchKey</Code></Error>') });
  assert.deepEqual(await p.get('/missing', {}), { status: 404, body: Buffer.from('<Error><Code>NoSuchKey</Code></Error>') });
  assert.equal(srv.connections, 1, 'the error document with a length was read whole, so its socket served the next GET');
  assert.deepEqual(await p.get('/chunked', {}), { status: 200, body: null });
  assert.equal(srv.connections, 2, 'the socket of the chunked error was not kept');
  assert.equal((await p.get('/missing-with-length', {})).status, 404);
  assert.equal(srv.connections, 3, 'nor that of the chunked object');
});

test('a kept-alive socket the server closed is replaced; a cut body and a silent server fail clearly', async () => {
  const srv = await server((req, res) => {
    if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': 100 });
      res.write(Buffer.alloc(40));
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (req.url === '/silent') {
      // never answers
    } else res.writeHead(200, { 'content-length': 2 }).end('ok');
  });
  const p = pool(srv.port, 300);
  assert.equal((await p.get('/a', {})).body?.toString(), 'ok');
  srv.dropIdle();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await p.get('/b', {})).body?.toString(), 'ok', 'asked again on a new socket');
  await assert.rejects(p.get('/cut', {}), (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET' && /before the whole body/.test(err.message));
  await assert.rejects(p.get('/silent', {}), (err: Error) => err.name === 'TimeoutError' && /no activity for 300 ms/.test(err.message));
  assert.equal((await p.get('/c', {})).body?.toString(), 'ok', 'the pool still works');
});

test('through the S3 store: errors are the typed errors, from one request; a chunked body is read by the full client', async () => {
  const srv = await server((req, res) => {
    if (req.url === '/bkt/missing') {
      res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code><Message>The key does not exist</Message></Error>');
    } else if (req.url === '/bkt/chunked') {
      res.writeHead(200);
      res.end('sent in chunks');
    } else res.writeHead(200, { 'content-length': 5 }).end('plain');
  });
  const store = await openStore('s3://bkt', { endpoint: srv.endpoint, pathStyle: true, region: 'us-east-1', credentials: creds });
  try {
    assert.equal((await store.get('plain')).toString(), 'plain');
    assert.equal((await store.get('chunked')).toString(), 'sent in chunks');
    const before = srv.requests;
    await assert.rejects(store.get('missing'), ObjectNotFound);
    assert.equal(srv.requests - before, 1, 'an error document is read from the first answer');
  } finally {
    await store.close();
  }
});

test('a GET on a kept-alive socket that the server drops unanswered is asked again on a new one', async () => {
  // Each connection answers its first request and drops the second: the race of a server
  // closing an idle keep-alive socket just as a request goes out on it.
  let connections = 0;
  const srv = net.createServer((socket) => {
    connections++;
    let seen = 0;
    let head = '';
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      while (head.includes('\r\n\r\n')) {
        head = head.slice(head.indexOf('\r\n\r\n') + 4);
        if (++seen === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        else socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  after(() => srv.close());
  const p = pool((srv.address() as { port: number }).port);
  assert.equal((await p.get('/1', {})).body?.toString(), 'ok');
  assert.equal((await p.get('/2', {})).body?.toString(), 'ok');
  assert.equal(connections, 2, 'the dropped request went out again on a second connection');
  p.close();
});

test('a head and a body that arrive in pieces are put together', async () => {
  const srv = net.createServer((socket) => {
    socket.once('data', () => {
      const parts = ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 11\r\n\r', '\nhello', ' world'];
      parts.forEach((part, i) => setTimeout(() => socket.write(part), 10 * i));
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  after(() => srv.close());
  const p = pool((srv.address() as { port: number }).port);
  assert.equal((await p.get('/split', {})).body?.toString(), 'hello world');
  p.close();
});

test('decodeChunked reads a whole chunked body, waits for the rest, refuses what is not chunked', () => {
  const raw = Buffer.from('5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n');
  assert.equal(decodeChunked(raw)?.toString(), 'hello, world');
  for (let cut = 0; cut < raw.length; cut++) assert.equal(decodeChunked(raw.subarray(0, cut)), null, `cut at ${cut}`);
  assert.equal(decodeChunked(Buffer.from('0\r\nX-Trailer: 1\r\n\r\n'))?.toString(), '');
  assert.equal(decodeChunked(Buffer.from('zz\r\n')), 'bad');
  assert.equal(decodeChunked(Buffer.from('2\r\nabcd\r\n')), 'bad');
});

test('parseHead reads status, length, chunking and keep-alive', () => {
  assert.deepEqual(parseHead('HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: keep-alive'), { status: 200, length: 12, chunked: false, keepAlive: true });
  assert.deepEqual(parseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked'), { status: 200, length: null, chunked: true, keepAlive: true });
  assert.deepEqual(parseHead('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close'), { status: 404, length: 0, chunked: false, keepAlive: false });
  assert.deepEqual(parseHead('HTTP/1.0 200 OK\r\nContent-Length: 1'), { status: 200, length: 1, chunked: false, keepAlive: false });
  assert.equal(parseHead('SSH-2.0-OpenSSH'), null);
  assert.equal(parseHead('HTTP/1.1 200 OK\r\nContent-Length: -1'), null);
});
