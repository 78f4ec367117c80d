import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type DeleteObjectsCommandOutput,
  type ListObjectsV2CommandOutput,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { StoreError } from '../errors.js';
import { redactEndpoint } from './endpoint.js';
import { readPasswdFile } from './s3-credentials.js';
import { BodyBuffer } from './body-buffer.js';
import { S3Direct } from './s3-direct.js';
import { mapS3Error } from './s3-errors.js';
import type { SigningCredentials } from './sigv4.js';
import type { Alloc, ListPage, ObjectInfo, ObjectStore, StoreOptions } from './types.js';

const MAX_PAGE = 1000;
const DEFAULT_CONNECT_MS = 5_000;
const DEFAULT_IDLE_MS = 60_000;
const DELETE_BATCH = 1000;

export interface S3StoreConfig extends StoreOptions {
  bucket: string;
  /** Applied to every key: empty, or ending in '/'. */
  prefix: string;
}

/**
 * Builds an S3 store. Credentials: `credentials`, else the password file, else the SDK's
 * default chain (with `profile` when given). The SDK never retries (maxAttempts 1): retries
 * live in the retry wrapper only. Connection and socket timeouts are bounded, so an
 * unreachable endpoint fails in bounded time.
 */
export async function createS3Store(cfg: S3StoreConfig): Promise<S3Store> {
  const credentials =
    cfg.credentials ?? (cfg.passwdFile ? await readPasswdFile(cfg.passwdFile, cfg.bucket) : undefined);
  const config: S3ClientConfig = {
    region: cfg.region ?? (await defaultRegion(cfg.profile)),
    maxAttempts: 1,
    forcePathStyle: cfg.pathStyle ?? false,
    requestHandler: requestHandlerOptions(cfg.timeouts),
    // S3-compatible servers often reject the SDK's newer default checksum headers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    ...(cfg.profile ? { profile: cfg.profile } : {}),
    ...(credentials ? { credentials } : {}),
  };
  const client = new S3Client(config);
  return new S3Store(client, cfg, await directTarget(client, cfg, config.region as string));
}

/** The endpoint as error messages show it: without credentials, or 'AWS S3' when none was given. */
function shownEndpoint(cfg: S3StoreConfig): string {
  return cfg.endpoint ? redactEndpoint(cfg.endpoint) : 'AWS S3';
}

/**
 * Where direct requests go, from the SDK's own endpoint rules for this bucket (so the URL
 * and signing region are the SDK's), or null when those rules ask for anything but plain
 * SigV4 (the SDK then sends every request).
 */
async function directTarget(client: S3Client, cfg: S3StoreConfig, region: string): Promise<S3Direct | null> {
  try {
    const resolved = await client.config.endpointProvider({
      Bucket: cfg.bucket,
      Region: region,
      ForcePathStyle: cfg.pathStyle ?? false,
      UseFIPS: false,
      UseDualStack: false,
      Accelerate: false,
      ...(cfg.endpoint ? { Endpoint: cfg.endpoint } : {}),
    });
    const scheme = (resolved.properties?.authSchemes as { name?: string; signingRegion?: string }[] | undefined)?.[0];
    if (scheme && scheme.name !== 'sigv4') return null;
    const credentials = client.config.credentials as () => Promise<SigningCredentials>;
    return new S3Direct({
      baseUrl: new URL(resolved.url.href),
      prefix: cfg.prefix,
      signingRegion: scheme?.signingRegion ?? region,
      credentials,
      connectMs: cfg.timeouts?.connectMs ?? DEFAULT_CONNECT_MS,
      idleMs: cfg.timeouts?.requestMs ?? DEFAULT_IDLE_MS,
      bucket: cfg.bucket,
      endpoint: shownEndpoint(cfg),
    });
  } catch {
    return null;
  }
}

/**
 * Bounded waits: for a TCP connection, for any socket activity (an idle socket fails), and
 * for a whole request (ten idle periods, so a large PUT on a slow link still completes). The
 * SDK only logs an overlong request unless told to throw.
 */
function requestHandlerOptions(t: StoreOptions['timeouts']): S3ClientConfig['requestHandler'] {
  const idle = t?.requestMs ?? DEFAULT_IDLE_MS;
  return {
    connectionTimeout: t?.connectMs ?? DEFAULT_CONNECT_MS,
    socketTimeout: idle,
    requestTimeout: idle * 10,
    throwOnRequestTimeout: true,
  } as S3ClientConfig['requestHandler'];
}

/** The region of the SDK's chain (environment, config file, profile), else us-east-1. */
async function defaultRegion(profile: string | undefined): Promise<string> {
  const probe = new S3Client(profile ? { profile } : {});
  try {
    const region = probe.config.region;
    return typeof region === 'function' ? await region() : region;
  } catch {
    return 'us-east-1';
  } finally {
    probe.destroy();
  }
}

/** An `ObjectStore` over one bucket and prefix of an S3(-compatible) server. */
export class S3Store implements ObjectStore {
  readonly description: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly endpoint: string;

  constructor(
    private readonly client: S3Client,
    cfg: S3StoreConfig,
    /** Object PUTs and GETs without the SDK's per-request cost; null: the SDK sends all. */
    private readonly direct: S3Direct | null = null,
  ) {
    this.bucket = cfg.bucket;
    this.prefix = cfg.prefix;
    this.endpoint = shownEndpoint(cfg);
    const name = `s3://${cfg.bucket}${cfg.prefix ? `/${cfg.prefix.replace(/\/$/, '')}` : ''}`;
    this.description = cfg.endpoint ? `${name} at ${this.endpoint}` : name;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    if (this.direct) return this.direct.put(key, body);
    await this.send('put', key, new PutObjectCommand({ ...this.loc(key), Body: body, ContentLength: body.length }));
  }

  async get(key: string, alloc?: Alloc): Promise<Buffer> {
    if (this.direct) return this.direct.get(key, alloc);
    const out = await this.send('get', key, new GetObjectCommand(this.loc(key)));
    return this.body('get', key, out.Body, out.ContentLength);
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    if (length <= 0) {
      if ((await this.head(key)) === null) await this.get(key); // throws ObjectNotFound
      return Buffer.alloc(0);
    }
    const range = `bytes=${offset}-${offset + length - 1}`;
    let out;
    try {
      out = await this.send('getRange', key, new GetObjectCommand({ ...this.loc(key), Range: range }));
    } catch (err) {
      // 416: the range starts at or past the end (the key exists: a missing key is a 404).
      if (err instanceof StoreError && err.status === 416) return Buffer.alloc(0);
      throw err;
    }
    return this.rangeBody(key, offset, length, out);
  }

  /**
   * The bytes of a range response, cut to what was asked. Servers differ: some ignore the
   * Range header (200, whole object), some send more than asked, and s3rver announces one
   * byte of an empty object and never sends it; the Content-Range total settles all three.
   */
  private async rangeBody(
    key: string,
    offset: number,
    length: number,
    out: { Body?: unknown; ContentRange?: string },
  ): Promise<Buffer> {
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(out.ContentRange ?? '');
    const start = m ? Number(m[1]) : 0;
    const total = m && m[2] !== '*' ? Number(m[2]) : undefined;
    if (total !== undefined && offset >= total) {
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return Buffer.alloc(0);
    }
    const buf = await this.body('getRange', key, out.Body);
    return buf.subarray(offset - start, offset - start + length);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const out = await this.send('head', key, new HeadObjectCommand(this.loc(key)));
      return { key, size: out.ContentLength ?? 0, mtimeMs: out.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_OBJECT_NOT_FOUND') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.send('delete', key, new DeleteObjectCommand(this.loc(key)));
  }

  async deleteMany(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const cmd = new DeleteObjectsCommand({
        Bucket: this.bucket,
        Delete: { Quiet: true, Objects: batch.map((k) => ({ Key: this.prefix + k })) },
      });
      const out: DeleteObjectsCommandOutput = await this.send('deleteMany', batch[0]!, cmd);
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        const f = failed[0]!;
        const key = (f.Key ?? '').slice(this.prefix.length);
        throw new StoreError(
          `deleteMany at ${this.endpoint}: ${failed.length} of ${batch.length} keys not deleted, ` +
            `first ${JSON.stringify(key)}: ${f.Code ?? 'error'} ${f.Message ?? ''}`.trim(),
        );
      }
    }
  }

  async listPage(prefix: string, token?: string, limit = MAX_PAGE): Promise<ListPage> {
    const cmd = new ListObjectsV2Command({
      Bucket: this.bucket,
      Prefix: this.prefix + prefix,
      MaxKeys: Math.min(Math.max(1, limit), MAX_PAGE),
      ...(token !== undefined ? { ContinuationToken: token } : {}),
    });
    const out: ListObjectsV2CommandOutput = await this.send('listPage', prefix, cmd);
    const items = (out.Contents ?? []).map((o) => ({
      key: (o.Key ?? '').slice(this.prefix.length),
      size: o.Size ?? 0,
      mtimeMs: o.LastModified?.getTime() ?? 0,
    }));
    return out.IsTruncated && out.NextContinuationToken ? { items, next: out.NextContinuationToken } : { items };
  }

  /** HeadBucket: proves that the bucket exists and that the credentials are accepted. */
  async checkAccess(): Promise<void> {
    await this.send('checkAccess', '', new HeadBucketCommand({ Bucket: this.bucket }));
    // HeadBucket may pass on a bucket one can see but not read; a list of one key proves reading.
    await this.listPage('', undefined, 1);
  }

  async close(): Promise<void> {
    this.direct?.close();
    this.client.destroy();
  }

  private loc(key: string): { Bucket: string; Key: string } {
    return { Bucket: this.bucket, Key: this.prefix + key };
  }

  // The SDK's overloads do not narrow a generic command's output; each caller knows its type.
  private async send(op: string, key: string, cmd: any): Promise<any> {
    try {
      return await this.client.send(cmd);
    } catch (err) {
      throw mapS3Error(err, { op, bucket: this.bucket, key, endpoint: this.endpoint });
    }
  }

  private async body(op: string, key: string, body: unknown, length?: number): Promise<Buffer> {
    if (!body) return Buffer.alloc(0);
    try {
      if (length !== undefined && isAsyncIterable(body)) return await collectInto(body, length);
      const bytes = await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      throw mapS3Error(err, { op, bucket: this.bucket, key, endpoint: this.endpoint });
    }
  }
}

function isAsyncIterable(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** The body's bytes in one buffer of the announced length. */
async function collectInto(body: AsyncIterable<Uint8Array>, length: number): Promise<Buffer> {
  const out = new BodyBuffer(length);
  for await (const part of body) out.add(part);
  return out.bytes();
}
