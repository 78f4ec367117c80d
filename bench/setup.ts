import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startS3rver, S3RVER_CREDENTIALS } from './s3rver.js';
import { UsageError } from '../src/errors.js';
import type { Cleanup } from './cleanup.js';
import { hasCommand } from './procs.js';
import { startProxy, type Proxy } from './proxy.js';
import { ChunkfsSystem } from './systems/chunkfs.js';
import { LocalSystem } from './systems/local.js';
import { NoopSystem } from './systems/noop.js';
import { RawSystem } from './systems/raw.js';
import { S3fsSystem } from './systems/s3fs.js';
import type { BenchSystem } from './systems/types.js';

export const SYSTEM_NAMES = ['chunkfs-s3', 'raw-store', 's3fs', 'chunkfs-file', 'fuse-noop', 'local-disk'] as const;

export interface SetupOptions {
  scratch: string;
  /** An S3 store to use instead of a private s3rver: s3://bucket[/prefix] on an http endpoint. */
  store?: { bucket: string; prefix: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  latencyMs: number;
  bandwidth: number | null;
  systems: string[];
  parallel: number;
  chunkSize: number;
  log(line: string): void;
}

export interface Setup {
  systems: BenchSystem[];
  skipped: { name: string; description: string; skipped: string }[];
  notes: string[];
  /** The private s3rver's process, or null when the run uses a given store. */
  storePid: number | null;
}

/** An s3fs-style password file, readable by its owner only (both chunkfs and s3fs insist). */
function passwdFile(scratch: string, c: { accessKeyId: string; secretAccessKey: string }): string {
  const path = join(scratch, 'passwd');
  writeFileSync(path, `${c.accessKeyId}:${c.secretAccessKey}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** Reads an s3fs-style ACCESS:SECRET file (for the raw baseline, which needs the keys). */
export function readCredentials(path: string): { accessKeyId: string; secretAccessKey: string } {
  const line = readFileSync(path, 'utf8').split('\n').find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  const parts = line.trim().split(':');
  const [a, s] = parts.length === 3 ? parts.slice(1) : parts;
  if (!a || !s) throw new UsageError(`${path} does not hold ACCESS:SECRET`);
  return { accessKeyId: a, secretAccessKey: s };
}

/**
 * Starts what the run needs — s3rver (unless a store was given), the proxy — and builds
 * the systems to compare, registering each undo step with `cleanup`.
 */
export async function setUp(o: SetupOptions, cleanup: Cleanup): Promise<Setup> {
  const notes: string[] = [];
  const skipped: Setup['skipped'] = [];
  const want = (n: string): boolean => o.systems.includes(n);
  const needS3 = want('chunkfs-s3') || want('raw-store') || want('s3fs');
  let proxy: Proxy | null = null;
  let target = o.store;
  let storePid: number | null = null;
  if (needS3 && !target) {
    o.log('starting s3rver');
    const server = await startS3rver({ buckets: ['chunkfs', 'raw', 's3fs'] });
    cleanup.add('stop s3rver', () => server.stop());
    storePid = server.pid;
    target = { bucket: '', prefix: '', endpoint: server.endpoint, credentials: { ...S3RVER_CREDENTIALS } };
    notes.push('The store is s3rver on loopback: single-threaded JavaScript that checksums every byte, so it bounds every S3 figure; compare with raw-store, not with absolute numbers.');
  }
  if (needS3 && target) {
    proxy = await startProxy({ target: target.endpoint, latencyMs: o.latencyMs, bandwidthBytesPerSec: o.bandwidth ?? undefined });
    const p = proxy;
    cleanup.add('stop the proxy', () => p.close());
  }
  const pw = target ? passwdFile(o.scratch, target.credentials) : '';
  // With a private s3rver each system has its own bucket; on a given store, its own prefix.
  const bucketOf = (sys: string): { bucket: string; prefix: string } =>
    target!.bucket ? { bucket: target!.bucket, prefix: `${target!.prefix}${sys}/` } : { bucket: sys === 'chunkfs-s3' ? 'chunkfs' : sys === 'raw-store' ? 'raw' : 's3fs', prefix: '' };

  const systems: BenchSystem[] = [];
  for (const name of o.systems) {
    switch (name) {
      case 'chunkfs-s3': {
        const b = bucketOf(name);
        systems.push(
          new ChunkfsSystem({
            name, scratch: o.scratch, proxy, passwdFile: pw, writeback: true, uploadConcurrency: o.parallel,
            store: `s3://${b.bucket}${b.prefix ? `/${b.prefix.replace(/\/$/, '')}` : ''}`,
            description: `chunkfs on the S3 store through the proxy, -o writeback, upload_concurrency=${o.parallel}`,
          }),
        );
        break;
      }
      case 'raw-store': {
        const b = bucketOf(name);
        systems.push(new RawSystem(proxy!, b.bucket, b.prefix, target!.credentials, o.chunkSize, o.parallel));
        break;
      }
      case 's3fs': {
        if (!(await hasCommand('s3fs'))) {
          skipped.push({ name, description: 's3fs-fuse', skipped: 'the s3fs binary is not installed (apt-get install s3fs)' });
          break;
        }
        const b = bucketOf(name);
        systems.push(new S3fsSystem(o.scratch, proxy!, b.prefix ? `${b.bucket}:/${b.prefix.replace(/\/$/, '')}` : b.bucket, pw));
        break;
      }
      case 'chunkfs-file': {
        const dir = join(o.scratch, 'filestore');
        mkdirSync(dir, { recursive: true });
        systems.push(
          new ChunkfsSystem({
            name, scratch: o.scratch, proxy: null, writeback: true, uploadConcurrency: o.parallel, store: `file://${dir}`,
            description: 'chunkfs on a local file store (file://), -o writeback: the filesystem\'s own cost, no network',
          }),
        );
        break;
      }
      case 'fuse-noop':
        systems.push(new NoopSystem(o.scratch));
        break;
      case 'local-disk':
        systems.push(new LocalSystem(o.scratch));
        break;
      default:
        throw new UsageError(`unknown system "${name}"; known: ${SYSTEM_NAMES.join(', ')}`);
    }
  }
  return { systems, skipped, notes, storePid };
}
