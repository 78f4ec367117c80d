import { createHash, webcrypto } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { BodyBuffer } from './body-buffer.js';
import { MAX_ERROR_BODY, PlainGetPool } from './http-get.js';
import { mapS3Error, timeoutError } from './s3-errors.js';
import { EMPTY_SHA256, encodeKeyPath, SigV4Signer, type SigningCredentials } from './sigv4.js';
import type { Alloc } from './types.js';

/** Bodies above this are hashed on libuv's thread pool instead of the event loop. */
const HASH_OFF_LOOP = 64 * 1024;

export interface DirectTarget {
  /** The bucket's base URL, as the SDK's endpoint rules give it (path style or virtual host). */
  baseUrl: URL;
  /** Put before every key. */
  prefix: string;
  signingRegion: string;
  credentials: () => Promise<SigningCredentials>;
  /** No connection in this long fails the request. */
  connectMs: number;
  /** A socket idle this long fails the request. */
  idleMs: number;
  /** For error messages: the bucket and the endpoint as shown to users. */
  bucket: string;
  endpoint: string;
}

/**
 * Object PUTs and GETs sent straight over a keep-alive socket, signed here. The SDK's
 * middleware stack costs about 2.5 ms of CPU per request (measured over s3rver), more
 * than the request itself for a small file, and it runs on the thread that answers FUSE.
 * The other calls (list, delete, head, bucket checks) stay with the SDK.
 *
 * Failures become the same typed errors as the SDK's (through `mapS3Error`): the server's
 * error code and message from its XML body, or the network error.
 */
export class S3Direct {
  private readonly agent: http.Agent;
  private readonly signer: SigV4Signer;
  private readonly request: typeof http.request;
  private readonly basePath: string;
  /** Plain-HTTP endpoints: GETs that read into fixed buffers (see PlainGetPool); null over TLS. */
  private readonly plainGets: PlainGetPool | null;

  constructor(private readonly t: DirectTarget) {
    const secure = t.baseUrl.protocol === 'https:';
    this.agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 64 }) : new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.request = secure ? https.request : http.request;
    this.signer = new SigV4Signer(t.signingRegion);
    this.basePath = t.baseUrl.pathname.replace(/\/$/, '');
    this.plainGets = secure
      ? null
      : new PlainGetPool({ host: hostOf(t.baseUrl), port: Number(t.baseUrl.port) || 80, hostHeader: t.baseUrl.host, connectMs: t.connectMs, idleMs: t.idleMs });
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const hash = body.length > HASH_OFF_LOOP ? await sha256Off(body) : createHash('sha256').update(body).digest('hex');
    const res = await this.send('put', key, hash, { 'content-length': String(body.length) }, body);
    if (res.statusCode !== 200) throw await this.failure('put', key, res);
    res.resume();
  }

  async get(key: string, alloc?: Alloc): Promise<Buffer> {
    if (this.plainGets) {
      const { path, headers } = await this.signed('get', key, EMPTY_SHA256, {});
      let got;
      try {
        got = await this.plainGets.get(path, headers, alloc);
      } catch (err) {
        throw mapS3Error(err, this.site('get', key));
      }
      if (got.body && got.status === 200) return got.body;
      if (got.body) throw this.refusal('get', key, got.status, got.body.toString('utf8'));
      // An answer without a length: asked again below, through the full HTTP client.
    }
    const res = await this.send('get', key, EMPTY_SHA256, {});
    if (res.statusCode !== 200) throw await this.failure('get', key, res);
    const length = Number(res.headers['content-length']);
    try {
      return await readBody(res, Number.isSafeInteger(length) ? length : undefined);
    } catch (err) {
      throw mapS3Error(err, this.site('get', key));
    }
  }

  close(): void {
    this.agent.destroy();
    this.plainGets?.close();
  }

  /** The request's path and signed headers. */
  private async signed(op: 'put' | 'get', key: string, payloadSha256: string, extra: Record<string, string>): Promise<{ path: string; headers: Record<string, string> }> {
    let creds: SigningCredentials;
    try {
      creds = await this.t.credentials();
    } catch (err) {
      throw mapS3Error(err, this.site(op, key));
    }
    const path = `${this.basePath}/${encodeKeyPath(this.t.prefix + key)}`;
    const headers: Record<string, string> = { ...extra };
    this.signer.sign({ method: op === 'put' ? 'PUT' : 'GET', host: this.t.baseUrl.host, path, query: '', headers, payloadSha256 }, creds);
    return { path, headers };
  }

  private send(op: 'put' | 'get', key: string, payloadSha256: string, extra: Record<string, string>, body?: Uint8Array): Promise<http.IncomingMessage> {
    const method = op === 'put' ? 'PUT' : 'GET';
    return this.signed(op, key, payloadSha256, extra).then(
      ({ path, headers }) =>
        new Promise((resolve, reject) => {
          const req = this.request({
            method,
            protocol: this.t.baseUrl.protocol,
            hostname: hostOf(this.t.baseUrl),
            port: this.t.baseUrl.port,
            path,
            headers,
            agent: this.agent,
            timeout: this.t.idleMs,
          });
          req.on('response', resolve);
          req.on('socket', (socket) => {
            if (!socket.connecting) return;
            const timer = setTimeout(() => req.destroy(timeoutError(`no connection in ${this.t.connectMs} ms`)), this.t.connectMs);
            socket.once('connect', () => clearTimeout(timer));
            socket.once('close', () => clearTimeout(timer));
          });
          req.on('timeout', () => req.destroy(timeoutError(`no activity for ${this.t.idleMs} ms`)));
          req.on('error', (err) => reject(mapS3Error(err, this.site(op, key))));
          req.end(body);
        }),
    );
  }

  /** The typed error for a refusal, read to its end (so the socket serves the next request). */
  private async failure(op: 'put' | 'get', key: string, res: http.IncomingMessage): Promise<Error> {
    const status = res.statusCode ?? 0;
    let text = '';
    try {
      text = (await readBody(res, undefined, MAX_ERROR_BODY)).toString('utf8');
    } catch {
      // The status alone still says what happened.
    }
    return this.refusal(op, key, status, text);
  }

  /** The typed error for a refusal with status `status` and error document `text`. */
  private refusal(op: 'put' | 'get', key: string, status: number, text: string): Error {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '';
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `HTTP ${status}`;
    return mapS3Error(Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: status } }), this.site(op, key));
  }

  private site(op: string, key: string) {
    return { op, bucket: this.t.bucket, key, endpoint: this.t.endpoint };
  }
}

/** An IPv6 literal comes bracketed in a URL; the resolver wants it bare. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** SHA-256 on libuv's thread pool (WebCrypto's digest), as hex. */
async function sha256Off(body: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', body)).toString('hex');
}

/** The body, read to its end into one buffer (at most `max` bytes of it kept). */
function readBody(res: http.IncomingMessage, length: number | undefined, max = Infinity): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const body = new BodyBuffer(length, max);
    res.on('data', (part: Buffer) => body.add(part));
    res.on('end', () => {
      if (!res.complete) reject(Object.assign(new Error('connection closed before the whole body'), { code: 'ECONNRESET' }));
      else resolve(body.bytes());
    });
    res.on('error', reject);
    res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
  });
}
