import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';

/** A store URL taken apart (see DESIGN.md "Store URLs"). */
export type StoreUrl =
  | { scheme: 'file'; dir: string }
  | { scheme: 's3'; bucket: string; prefix: string }
  | { scheme: 'mem' };

export const ACCEPTED_FORMS = 'file:///abs/dir, s3://bucket[/prefix], mem://';

/** Parses a store URL; any mistake is a `UsageError` that says what was expected. */
export function parseStoreUrl(url: string): StoreUrl {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  if (!m) {
    const hint = url.startsWith('/') ? ` (did you mean file://${url}?)` : '';
    throw new UsageError(`not a store URL: "${url}"${hint}; expected one of ${ACCEPTED_FORMS}`);
  }
  const scheme = m[1]!.toLowerCase();
  switch (scheme) {
    case 'file':
      return { scheme: 'file', dir: parseFileUrl(url) };
    case 's3':
      return parseS3Url(url);
    case 'mem':
      if (!/^mem:(\/\/)?$/i.test(url)) throw new UsageError(`a memory store URL is just "mem://", not "${url}"`);
      return { scheme: 'mem' };
    default:
      throw new UsageError(`unknown store URL scheme "${scheme}:" in "${url}"; accepted: ${ACCEPTED_FORMS}`);
  }
}

/** `file:///abs/dir` → `/abs/dir`. Relative forms (`file:dir`, `file://dir`) are refused. */
function parseFileUrl(url: string): string {
  const rest = url.slice('file:'.length);
  const absolute = rest.startsWith('///') || rest.toLowerCase().startsWith('//localhost/');
  if (!absolute) {
    throw new UsageError(`the path of a file store must be absolute: "${url}" (write file:///abs/dir)`);
  }
  let dir: string;
  try {
    dir = fileURLToPath(new URL(url));
  } catch (err) {
    throw new UsageError(`not a valid file URL: "${url}"`, { cause: err });
  }
  if (dir.length > 1) dir = dir.replace(/\/+$/, '');
  return dir;
}

/** `s3://bucket/some/prefix/` → bucket and prefix `some/prefix/` (empty, or ending in '/'). */
function parseS3Url(url: string): StoreUrl {
  const rest = url.slice('s3:'.length);
  if (!rest.startsWith('//')) throw new UsageError(`an S3 store URL is s3://bucket[/prefix], not "${url}"`);
  const body = rest.slice(2);
  const slash = body.indexOf('/');
  const bucket = slash < 0 ? body : body.slice(0, slash);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(bucket)) {
    throw new UsageError(`not a valid bucket name in "${url}": "${bucket}"`);
  }
  const trimmed = slash < 0 ? '' : body.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  if (trimmed.split('/').some((c) => c === '.' || c === '..')) {
    throw new UsageError(`the prefix in "${url}" may not contain "." or ".." components`);
  }
  return { scheme: 's3', bucket, prefix: trimmed === '' ? '' : `${trimmed}/` };
}

/** A printable name of a parsed store URL (never holds credentials). */
export function formatStoreUrl(u: StoreUrl): string {
  switch (u.scheme) {
    case 'file':
      return `file://${u.dir}`;
    case 's3':
      return `s3://${u.bucket}${u.prefix === '' ? '' : `/${u.prefix.replace(/\/$/, '')}`}`;
    case 'mem':
      return 'mem://';
  }
}
