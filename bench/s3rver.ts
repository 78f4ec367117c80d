import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { request } from 'node:http';
import { openStore } from '../src/store/open.js';
import type { ObjectStore, StoreOptions } from '../src/store/types.js';

/** The credentials s3rver accepts (it verifies signatures against them). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3rverHandle {
  endpoint: string;
  port: number;
  dir: string;
  /** The server process's id. */
  pid: number;
  /** Kills the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/*
 * The server runs in a child process, not in the test's process: a 64 MiB PUT then does not
 * stall the test's event loop, and the child gets `--openssl-legacy-provider`, without which
 * s3rver fails on the second page of a listing under Node 20.
 *
 * The child never outlives its parent: it exits (and removes its directory) when its stdin
 * closes, which happens however the parent dies, even on SIGKILL.
 */
const CHILD_SCRIPT = `
const { rmSync } = require('node:fs');
const S3rver = require(process.env.S3RVER_MODULE);
const dir = process.env.S3RVER_DIR;
const buckets = JSON.parse(process.env.S3RVER_BUCKETS);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: dir,
  configureBuckets: buckets.map((name) => ({ name })),
});
let done = false;
function quit(code) {
  if (done) return;
  done = true;
  try { rmSync(dir, { recursive: true, force: true }); } catch {}
  process.exit(code);
}
process.stdin.on('end', () => quit(0));
process.stdin.on('close', () => quit(0));
process.stdin.resume();
process.on('SIGTERM', () => quit(0));
process.on('SIGINT', () => quit(0));
server.run().then(
  (addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + '\\n'),
  (err) => { process.stderr.write(String(err && err.stack || err)); quit(1); },
);
`;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A last resort: kill every server still running when the test process exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

async function readPort(child: ChildProcess): Promise<number> {
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 20 s: ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${code} before it started: ${err}`));
    });
  });
}

/** Resolves once an HTTP request to the server gets any answer. */
async function waitUntilAnswering(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 1000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`s3rver on port ${port} does not answer`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts s3rver on a free loopback port with a fresh directory and the given buckets
 * (default `['test']`). Call `stop()` in an `after()` hook; the server also dies with the
 * test process whatever happens.
 */
export async function startS3rver(opts: { buckets?: string[] } = {}): Promise<S3rverHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'chunkfs-s3rver-'));
  const modulePath = createRequire(import.meta.url).resolve('s3rver');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      S3RVER_MODULE: modulePath,
      S3RVER_DIR: dir,
      S3RVER_BUCKETS: JSON.stringify(opts.buckets ?? ['test']),
    },
  });
  installExitHook();
  live.add(child);
  const exited = once(child, 'exit');
  child.once('exit', () => live.delete(child));

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // Hold the event loop until the server is gone: the child was unref'd once it answered.
        child.ref();
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());

  try {
    const port = await readPort(child);
    await waitUntilAnswering(port);
    // A forgotten stop() must not keep the test process alive; the exit hook and the
    // stdin pipe still end the child.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
    return { endpoint: `http://127.0.0.1:${port}`, port, dir, pid: child.pid!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Store options that reach the given s3rver: path-style, its fixed credentials, a short retry budget. */
export function s3rverOptions(server: S3rverHandle, extra: StoreOptions = {}): StoreOptions {
  return {
    endpoint: server.endpoint,
    region: 'us-east-1',
    pathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
    retry: { attempts: 5, baseDelayMs: 10, maxElapsedMs: 30_000 },
    ...extra,
  };
}

/**
 * An S3 store on the given s3rver: bucket `bucket` (default 'test'), keys under `prefix`,
 * wrapped in the retry wrapper like any store from `openStore`.
 */
export async function openS3rverStore(
  server: S3rverHandle,
  opts: { bucket?: string; prefix?: string; store?: StoreOptions } = {},
): Promise<ObjectStore> {
  const prefix = opts.prefix ? `/${opts.prefix.replace(/^\/+/, '')}` : '';
  return openStore(`s3://${opts.bucket ?? 'test'}${prefix}`, s3rverOptions(server, opts.store));
}
