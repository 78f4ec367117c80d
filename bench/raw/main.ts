/**
 * The raw-store baseline, in its own process (as the chunkfs daemon is): the AWS SDK
 * putting, getting or deleting `size` bytes as objects of `chunk` bytes each, `parallel`
 * at a time. The sequential baseline uses chunk-sized objects; the small-file baseline
 * uses one object per small file. Usage: node main.js '<RawSpec JSON>'; prints a
 * RawResult as JSON.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { block } from '../driver/data.js';
import type { DriverResult } from '../driver/spec.js';
import { Latencies, epochMs, nowMs } from '../driver/timing.js';

export type RawMode = 'put' | 'get' | 'delete';

const DELETE_ATTEMPTS = 3;

export interface RawSpec {
  endpoint: string;
  bucket: string;
  /** Key prefix: empty, or ending in '/'. */
  prefix: string;
  /** The key folder under the prefix, so the sequential and small-object sets never overlap. */
  set: 'raw' | 'small';
  accessKeyId: string;
  secretAccessKey: string;
  mode: RawMode;
  /** Total bytes: `ceil(size / chunk)` objects, the last one possibly shorter. */
  size: number;
  /** Bytes per object. */
  chunk: number;
  parallel: number;
}

/** What one run measured: a driver step's result (bytes put or got, one op per request), so it is measured alike. */
export type RawResult = DriverResult;

async function pool(count: number, parallel: number, lat: Latencies, one: (i: number) => Promise<number>): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const t = nowMs();
      bytes += await one(next++);
      lat.add(nowMs() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return bytes;
}

async function main(spec: RawSpec): Promise<RawResult> {
  const client = new S3Client({
    endpoint: spec.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: spec.accessKeyId, secretAccessKey: spec.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const count = Math.ceil(spec.size / spec.chunk);
  const key = (i: number): string => `${spec.prefix}${spec.set}/${String(i).padStart(8, '0')}`;
  const len = (i: number): number => Math.min(spec.chunk, spec.size - i * spec.chunk);
  const ops: Record<RawMode, (i: number) => Promise<number>> = {
    async put(i) {
      const body = block(len(i), i);
      await client.send(new PutObjectCommand({ Bucket: spec.bucket, Key: key(i), Body: body, ContentLength: body.length }));
      return body.length;
    },
    async get(i) {
      const out = await client.send(new GetObjectCommand({ Bucket: spec.bucket, Key: key(i) }));
      return (await out.Body!.transformToByteArray()).length;
    },
    async delete(i) {
      // s3rver answers 500 now and then to parallel deletes in one folder (a race in its
      // removal of empty directories, after the object is gone): a delete is idempotent,
      // so it is sent again, as any S3 client's retry would.
      for (let attempt = 1; ; attempt++) {
        try {
          await client.send(new DeleteObjectCommand({ Bucket: spec.bucket, Key: key(i) }));
          return 0;
        } catch (err) {
          const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
          if (status < 500 || attempt >= DELETE_ATTEMPTS) throw err;
        }
      }
    },
  };
  const lat = new Latencies(count);
  const cpu0 = process.cpuUsage();
  const startedAtMs = epochMs();
  const t0 = nowMs();
  const bytes = await pool(count, spec.parallel, lat, ops[spec.mode]);
  const seconds = (nowMs() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  client.destroy();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { startedAtMs, seconds, appSeconds: seconds, bytes, ops: count, p50Ms: lat.percentile(50), p99Ms: lat.percentile(99), cpuSeconds };
}

main(JSON.parse(process.argv[2] ?? '{}') as RawSpec).then(
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
  (err) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
