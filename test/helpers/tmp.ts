import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * A fresh temporary directory that is removed when the enclosing test file finishes,
 * whether its tests passed or not.
 */
export function tempDir(label = 'chunkfs-test'): string {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
