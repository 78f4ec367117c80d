import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * DESIGN.md's layer table as a test: each folder of src/ may import only the folders
 * below it, and the third-party packages it owns.
 */
const root = join(fileURLToPath(import.meta.url), '../../..');

const rules: Record<string, { forbiddenDirs: string[]; forbiddenPackages: string[] }> = {
  fuse: { forbiddenDirs: ['cli', 'metadata', 'store', 'chunker', 'uploader', 'fsck'], forbiddenPackages: ['better-sqlite3', '@aws-sdk/client-s3'] },
  vfs: { forbiddenDirs: ['cli', 'fuse', 'fsck'], forbiddenPackages: ['better-sqlite3', '@aws-sdk/client-s3', 'fuse-native'] },
  chunker: { forbiddenDirs: ['cli', 'fuse', 'vfs', 'fsck'], forbiddenPackages: ['better-sqlite3', '@aws-sdk/client-s3', 'fuse-native'] },
  uploader: { forbiddenDirs: ['cli', 'fuse', 'vfs', 'fsck'], forbiddenPackages: ['better-sqlite3', '@aws-sdk/client-s3', 'fuse-native'] },
  metadata: { forbiddenDirs: ['cli', 'fuse', 'vfs', 'chunker', 'uploader', 'fsck'], forbiddenPackages: ['@aws-sdk/client-s3', 'fuse-native'] },
  store: { forbiddenDirs: ['cli', 'fuse', 'vfs', 'chunker', 'uploader', 'metadata', 'fsck'], forbiddenPackages: ['better-sqlite3', 'fuse-native'] },
  fsck: { forbiddenDirs: ['cli', 'fuse'], forbiddenPackages: ['better-sqlite3', 'fuse-native', '@aws-sdk/client-s3'] },
  cli: { forbiddenDirs: [], forbiddenPackages: ['better-sqlite3', '@aws-sdk/client-s3'] },
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (text: string): string[] =>
  [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);

for (const [layer, rule] of Object.entries(rules)) {
  test(`src/${layer} imports only what its layer may`, () => {
    const violations: string[] = [];
    for (const file of sourceFiles(join(root, 'src', layer))) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const dir = spec.match(/^\.\.\/([a-z]+)\//)?.[1];
        if (dir && rule.forbiddenDirs.includes(dir)) violations.push(`${file}: ${spec}`);
        if (rule.forbiddenPackages.some((p) => spec === p || spec.startsWith(`${p}/`))) violations.push(`${file}: ${spec}`);
      }
    }
    assert.deepEqual(violations, []);
  });
}
