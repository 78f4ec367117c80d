/**
 * The raw-store baseline, in its own process (as the chunkfs daemon is): the AWS SDK
 * putting, then getting, the same bytes as whole chunk-sized objects, `parallel` at a
 * time. Usage: node main.js '<RawSpec JSON>'; prints {"seconds":..,"bytes":..}.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { block } from '../driver/data.js';

export interface RawSpec {
  endpoint: string;
  bucket: string;
  /** Key prefix: empty, or ending in '/'. */
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
  mode: 'put' | 'get';
  size: number;
  chunk: number;
  parallel: number;
}

async function pool(count: number, parallel: number, one: (i: number) => Promise<number>): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < count) bytes += await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return bytes;
}

async function main(spec: RawSpec): Promise<{ seconds: number; bytes: number }> {
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
  const key = (i: number): string => `${spec.prefix}raw/${String(i).padStart(8, '0')}`;
  const len = (i: number): number => Math.min(spec.chunk, spec.size - i * spec.chunk);
  const t0 = performance.now();
  const bytes =
    spec.mode === 'put'
      ? await pool(count, spec.parallel, async (i) => {
          const body = block(len(i), i);
          await client.send(new PutObjectCommand({ Bucket: spec.bucket, Key: key(i), Body: body, ContentLength: body.length }));
          return body.length;
        })
      : await pool(count, spec.parallel, async (i) => {
          const out = await client.send(new GetObjectCommand({ Bucket: spec.bucket, Key: key(i) }));
          return (await out.Body!.transformToByteArray()).length;
        });
  const seconds = (performance.now() - t0) / 1000;
  client.destroy();
  return { seconds, bytes };
}

main(JSON.parse(process.argv[2] ?? '{}') as RawSpec).then(
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
  (err) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
