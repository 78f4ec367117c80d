import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { Meter, TokenBucket } from './throttle.js';
import type { NetCounts } from './types.js';

export interface ProxyOptions {
  /** The store's endpoint, e.g. http://127.0.0.1:4568. */
  target: string;
  /** Added before each request is forwarded: one round trip of a distant store. */
  latencyMs?: number;
  /** Bytes per second, each direction (a symmetric link); none when absent. */
  bandwidthBytesPerSec?: number;
}

export interface Proxy {
  /** http://127.0.0.1:PORT — give this to the client instead of the store's endpoint. */
  readonly endpoint: string;
  readonly port: number;
  /** Counts since the last reset. */
  snapshot(): NetCounts;
  reset(): void;
  /** Requests forwarded and not yet answered in full. */
  inFlight(): number;
  /** Resolves once no request has been in flight for `quietMs`; returns when the last one ended (epoch ms). */
  waitIdle(quietMs: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * A reverse proxy on a free loopback port in front of an S3 endpoint. It forwards every
 * request unchanged, Host header included, so SigV4 signatures made for the proxy's
 * address still verify at the store. It counts body bytes up (request bodies) and down
 * (response bodies) and requests per method, and can add latency and cap bandwidth.
 */
export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const target = new URL(opts.target);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const up = opts.bandwidthBytesPerSec ? new TokenBucket(opts.bandwidthBytesPerSec) : null;
  const down = opts.bandwidthBytesPerSec ? new TokenBucket(opts.bandwidthBytesPerSec) : null;
  const latency = opts.latencyMs ?? 0;
  let counts = emptyCounts();
  let active = 0;
  let lastDone = performance.now();

  const finish = (): void => {
    active--;
    lastDone = performance.now();
  };

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    counts.requests++;
    counts.byMethod[method] = (counts.byMethod[method] ?? 0) + 1;
    active++;
    let ended = false;
    const end = (): void => {
      if (!ended) {
        ended = true;
        finish();
      }
    };
    res.on('close', end);
    const upstream = request(
      { host: target.hostname, port: target.port, method, path: req.url, headers: req.headers, agent },
      (ures) => {
        res.writeHead(ures.statusCode ?? 502, ures.statusMessage, ures.headers);
        if (down) pipeline(ures, new Meter(down, (n) => (counts.bytesDown += n)), res, () => end());
        else {
          // Without a cap, a plain pipe with a counting listener: a Transform per piece costs CPU the store needs.
          ures.on('data', (d: Buffer) => (counts.bytesDown += d.length));
          ures.pipe(res);
          ures.on('end', end);
          ures.on('error', end);
        }
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
      end();
    });
    if (up) pipeline(req, new Meter(up, (n) => (counts.bytesUp += n)), upstream, () => undefined);
    else {
      req.on('data', (d: Buffer) => (counts.bytesUp += d.length));
      req.pipe(upstream);
    }
  };

  const server = createServer((req, res) => {
    if (latency > 0) setTimeout(() => forward(req, res), latency);
    else forward(req, res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    snapshot: () => ({ ...counts, byMethod: { ...counts.byMethod } }),
    reset: () => void (counts = emptyCounts()),
    inFlight: () => active,
    async waitIdle(quietMs, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if (active === 0 && performance.now() - lastDone >= quietMs) return performance.timeOrigin + lastDone;
        await new Promise((r) => setTimeout(r, Math.min(50, quietMs)));
      }
      return performance.timeOrigin + lastDone;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

export function emptyCounts(): NetCounts {
  return { bytesUp: 0, bytesDown: 0, requests: 0, byMethod: {} };
}
