import { BucketNotFound, ObjectNotFound, StoreAccessDenied, StoreError, StoreUnavailable } from '../errors.js';

/** Where a failed call went: for messages (no credentials ever). */
export interface S3CallSite {
  op: string;
  bucket: string;
  /** The key as the caller named it (without the store's prefix), or '' for bucket calls. */
  key: string;
  /** The endpoint, or 'AWS S3' when none was given. */
  endpoint: string;
}

/** A timeout named as the SDK names its own, so that `mapS3Error` reports both alike. */
export function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError' });
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH',
  'ENETUNREACH', 'ECONNABORTED', 'EADDRNOTAVAIL', 'UND_ERR_SOCKET',
]);
const ACCESS_CODES = new Set([
  'AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'ExpiredToken',
  'InvalidToken', 'CredentialsProviderError',
]);
const THROTTLE_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests', 'RequestLimitExceeded']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

/** Turns an AWS SDK failure into chunkfs's typed store errors (src/errors.ts). */
export function mapS3Error(err: unknown, site: S3CallSite): Error {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const what = `${site.op} ${site.key === '' ? `bucket ${site.bucket}` : JSON.stringify(site.key)} at ${site.endpoint}`;
  const cause = { cause: err };

  if (name === 'NoSuchBucket') return new BucketNotFound(site.bucket, cause);
  if (name === 'NoSuchKey' || (status === 404 && site.key !== '')) return new ObjectNotFound(site.key, cause);
  if (status === 404 || name === 'NotFound') return new BucketNotFound(site.bucket, cause);
  if (ACCESS_CODES.has(name) || status === 403 || status === 401) {
    const why = ACCESS_CODES.has(name) ? name : `HTTP ${status ?? 403}`;
    return new StoreAccessDenied(`${what}: access denied (${why}); check the credentials`, cause);
  }
  if (isNetworkFailure(e)) {
    const how = name === 'TimeoutError' ? 'no answer in time' : 'cannot reach the store';
    return new StoreUnavailable(`${what}: ${how} (${e.code ?? name}: ${firstLine(e.message)})`, cause);
  }
  if (THROTTLE_CODES.has(name)) return new StoreError(`${what}: throttled (${name})`, status ?? 503, cause);
  if (name === 'RequestTimeout') return new StoreError(`${what}: request timed out (${name})`, 408, cause);
  const label = name && name !== 'Error' && name !== 'UnknownError' ? `${name}: ` : '';
  return new StoreError(`${what}: ${label}${firstLine(e.message) || 'failed'}${status ? ` (HTTP ${status})` : ''}`, status, cause);
}

function isNetworkFailure(e: SdkError): boolean {
  if (e.$metadata?.httpStatusCode !== undefined) return false;
  return e.name === 'TimeoutError' || NETWORK_CODES.has(e.code ?? '') || e.name === 'AbortError';
}

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0]!.slice(0, 300);
}
