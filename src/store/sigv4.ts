import { createHash, createHmac } from 'node:crypto';

/** What a request is signed with: the SDK's credentials, resolved. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The hash that stands for an empty body. */
export const EMPTY_SHA256 = createHash('sha256').digest('hex');

/**
 * AWS Signature Version 4 for S3 requests, with the payload's hash in a header (S3 does not
 * encode the path a second time). The signing key changes once a day per secret and region,
 * so it is derived once and kept: each request then costs two hashes and one HMAC.
 */
export class SigV4Signer {
  private key: { day: string; secret: string; value: Buffer } | null = null;

  constructor(
    private readonly region: string,
    private readonly service = 's3',
  ) {}

  /**
   * Adds host, x-amz-date, x-amz-content-sha256, x-amz-security-token (with a session
   * token) and authorization to `headers` (lowercase names). `path` is the request path
   * as sent, already percent-encoded; `query` the query string without '?', or ''.
   */
  sign(
    req: { method: string; host: string; path: string; query: string; headers: Record<string, string>; payloadSha256: string },
    creds: SigningCredentials,
    now: Date = new Date(),
  ): void {
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const headers = req.headers;
    headers['host'] = req.host;
    headers['x-amz-date'] = amzDate;
    headers['x-amz-content-sha256'] = req.payloadSha256;
    if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
    const names = Object.keys(headers).filter((n) => n !== 'authorization').sort();
    const signedHeaders = names.join(';');
    const canonical = [
      req.method,
      req.path,
      canonicalQuery(req.query),
      names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join(''),
      signedHeaders,
      req.payloadSha256,
    ].join('\n');
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.signingKey(day, creds.secretAccessKey)).update(toSign).digest('hex');
    headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  }

  private signingKey(day: string, secret: string): Buffer {
    if (this.key?.day === day && this.key.secret === secret) return this.key.value;
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    const value = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), this.region), this.service), 'aws4_request');
    this.key = { day, secret, value };
    return value;
  }
}

/** An object key as an S3 path: each segment percent-encoded as RFC 3986 wants (`/` kept). */
export function encodeKeyPath(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** Query parameters sorted by name, as the canonical request wants them. */
function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((p) => (p.includes('=') ? p : `${p}=`))
    .sort()
    .join('&');
}
