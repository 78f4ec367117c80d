import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy } from '../../bench/proxy.js';
import { parseBandwidth, parseLatency } from '../../bench/units.js';

/** An origin that answers every request with as many bytes as the `n` query asks, and echoes the method. */
async function origin(): Promise<{ endpoint: string; hosts: string[]; close(): Promise<void> }> {
  const hosts: string[] = [];
  const server = createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    req.resume();
    req.on('end', () => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 0);
      res.writeHead(200, { 'content-length': String(n) });
      res.end(Buffer.alloc(n, 1));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hosts,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function call(endpoint: string, method: string, path: string, body?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}${path}`, { method, agent: false }, (res) => {
      let n = 0;
      res.on('data', (d: Buffer) => (n += d.length));
      res.on('end', () => resolve(n));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the proxy forwards unchanged and counts bytes and requests by method', async () => {
  const o = await origin();
  const proxy = await startProxy({ target: o.endpoint });
  after(async () => {
    await proxy.close();
    await o.close();
  });
  assert.equal(await call(proxy.endpoint, 'PUT', '/b/k', Buffer.alloc(300_000, 2)), 0);
  assert.equal(await call(proxy.endpoint, 'GET', '/b/k?n=123456'), 123456);
  assert.equal(await call(proxy.endpoint, 'GET', '/b/k?n=10'), 10);
  await proxy.waitIdle(20, 2000);
  const s = proxy.snapshot();
  assert.equal(s.bytesUp, 300_000);
  assert.equal(s.bytesDown, 123466);
  assert.deepEqual(s.byMethod, { PUT: 1, GET: 2 });
  assert.equal(s.requests, 3);
  // The Host header reaches the store as the client sent it (SigV4 signs it).
  assert.equal(o.hosts[0], `127.0.0.1:${proxy.port}`);
  proxy.reset();
  assert.deepEqual(proxy.snapshot(), { bytesUp: 0, bytesDown: 0, requests: 0, byMethod: {} });
});

test('the proxy adds latency per request and caps bandwidth', async () => {
  const o = await origin();
  const slow = await startProxy({ target: o.endpoint, latencyMs: 100 });
  const narrow = await startProxy({ target: o.endpoint, bandwidthBytesPerSec: 4e6 });
  after(async () => {
    await slow.close();
    await narrow.close();
    await o.close();
  });
  let t0 = performance.now();
  await call(slow.endpoint, 'GET', '/b/k?n=1');
  await call(slow.endpoint, 'GET', '/b/k?n=1');
  assert.ok(performance.now() - t0 >= 200, `two requests took ${performance.now() - t0} ms`);
  t0 = performance.now();
  await call(narrow.endpoint, 'GET', '/b/k?n=2000000');
  const ms = performance.now() - t0;
  // 2 MB at 4 MB/s is 500 ms, less the initial burst.
  assert.ok(ms >= 400 && ms < 3000, `2 MB at 4 MB/s took ${ms} ms`);
});

test('latency and bandwidth arguments parse with their units', () => {
  assert.equal(parseLatency('20ms'), 20);
  assert.equal(parseLatency('20'), 20);
  assert.equal(parseLatency('0.1s'), 100);
  assert.equal(parseBandwidth('100MB/s'), 100e6);
  assert.equal(parseBandwidth('8MiB/s'), 8 * 2 ** 20);
  assert.equal(parseBandwidth('1.5GB/s'), 1.5e9);
  assert.equal(parseBandwidth('5000'), 5000);
  assert.throws(() => parseBandwidth('fast'), /--bandwidth/);
  assert.throws(() => parseLatency('soon'), /--latency/);
});
