import { join } from 'node:path';
import { StoreError } from '../errors.js';

/*
 * Object keys map to paths under the store's directory, one key component per path
 * component. On disk, a component's '%' is written '%25' and a leading '.' is written '%2E',
 * so no object's file name starts with '.': names starting with '.' are the store's own
 * (temporary files of unfinished puts) and listings skip them.
 */

/** Throws a clear `StoreError` for a key that cannot name a file safely. */
export function checkKey(key: string): string[] {
  const parts = key.split('/');
  const bad = (why: string): StoreError => new StoreError(`invalid object key ${JSON.stringify(key)}: ${why}`);
  if (key === '') throw bad('the key is empty');
  if (key.includes('\0')) throw bad('it contains a NUL byte');
  for (const p of parts) {
    if (p === '') throw bad("it has an empty component (a leading, trailing or doubled '/')");
    if (p === '.' || p === '..') throw bad(`it has a "${p}" component`);
  }
  return parts;
}

export function encodeComponent(c: string): string {
  const e = c.replace(/%/g, '%25');
  return e.startsWith('.') ? `%2E${e.slice(1)}` : e;
}

export function decodeComponent(c: string): string {
  return c.replace(/%(25|2E)/g, (m) => (m === '%25' ? '%' : '.'));
}

/** The absolute path of a key's file under `root`. */
export function keyPath(root: string, key: string): string {
  return join(root, ...checkKey(key).map(encodeComponent));
}

/** True for names in the store's directory tree that are not objects (temporary files). */
export function isInternalName(name: string): boolean {
  return name.startsWith('.');
}
