import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatStore } from '../../src/metadata/superblock.js';
import { ROOT_INO, type Superblock } from '../../src/metadata/types.js';
import { FileStore } from '../../src/store/file.js';
import { listAll, type ObjectStore } from '../../src/store/types.js';
import { openFilesystem } from '../../src/vfs/filesystem.js';
import { O_CREAT, O_RDONLY, O_RDWR } from '../../src/vfs/flags.js';
import type { Caller, Vfs } from '../../src/vfs/types.js';
import { tempDir } from '../helpers/tmp.js';

export const MiB = 1024 * 1024;
export const CHUNK = MiB;
const ME: Caller = { uid: 0, gid: 0 };

/** What the reference filesystem holds, by path: the test's memory of every file. */
export interface RefEntry {
  ino: number;
  kind: 'file' | 'dir' | 'symlink' | 'fifo';
  data?: Buffer;
  target?: string;
}

export interface Reference {
  sb: Superblock;
  entries: Map<string, RefEntry>;
}

/** A filesystem to damage: its store, local dir and the reference contents. */
export interface FsEnv {
  store: ObjectStore;
  /** Set for a file store. */
  storeDir?: string;
  localDir: string;
  dbPath: string;
  ref: Reference;
}

const b = (s: string) => Buffer.from(s);

async function writeFile(vfs: Vfs, parent: number, name: string, chunks: { offset: number; data: Buffer }[]): Promise<number> {
  const { attr, fh } = await vfs.create(parent, b(name), 0o644, O_RDWR | O_CREAT, ME);
  for (const c of chunks) await vfs.write(fh, c.offset, c.data);
  await vfs.flush(fh);
  await vfs.release(fh);
  return attr.ino;
}

/**
 * Builds the reference filesystem through the real stack (openFilesystem on `store`):
 * directories, multi-chunk files, a sparse file, a hard link, a symlink, a fifo, an xattr.
 * 1 MiB chunks keep it small: 8 objects, about 6 MiB.
 */
export async function buildReference(store: ObjectStore, localDir: string): Promise<Reference> {
  const sb = await formatStore(store, { chunkSize: CHUNK });
  const fs = await openFilesystem({ store, localDir, snapshotIntervalMs: 0, warn: () => undefined });
  const entries = new Map<string, RefEntry>();
  try {
    const { vfs } = fs;
    const a = await vfs.mkdir(ROOT_INO, b('a'), 0o755, ME);
    entries.set('/a', { ino: a.ino, kind: 'dir' });
    const bdir = await vfs.mkdir(a.ino, b('b'), 0o755, ME);
    entries.set('/a/b', { ino: bdir.ino, kind: 'dir' });
    const f1 = randomBytes(3.5 * MiB);
    entries.set('/a/b/f1', { ino: await writeFile(vfs, bdir.ino, 'f1', [{ offset: 0, data: f1 }]), kind: 'file', data: f1 });
    const f2 = randomBytes(MiB + 100);
    entries.set('/a/f2', { ino: await writeFile(vfs, a.ino, 'f2', [{ offset: 0, data: f2 }]), kind: 'file', data: f2 });
    const f3 = randomBytes(1000);
    const f3ino = await writeFile(vfs, ROOT_INO, 'f3', [{ offset: 0, data: f3 }]);
    entries.set('/f3', { ino: f3ino, kind: 'file', data: f3 });
    await vfs.setxattr(f3ino, 'user.note', b('kept'));
    await vfs.link(f3ino, a.ino, b('hard'));
    entries.set('/a/hard', { ino: f3ino, kind: 'file', data: f3 });
    const tail = randomBytes(100);
    const sparse = Buffer.concat([Buffer.alloc(2 * MiB + 5), tail]);
    entries.set('/sparse', { ino: await writeFile(vfs, ROOT_INO, 'sparse', [{ offset: 2 * MiB + 5, data: tail }]), kind: 'file', data: sparse });
    const link = await vfs.symlink(ROOT_INO, b('link'), b('a/f2'), ME);
    entries.set('/link', { ino: link.ino, kind: 'symlink', target: 'a/f2' });
    const fifo = await vfs.mknod(ROOT_INO, b('fifo'), 0o010644, 0, ME);
    entries.set('/fifo', { ino: fifo.ino, kind: 'fifo' });
  } finally {
    await fs.close();
  }
  return { sb, entries };
}

let template: { storeDir: string; localDir: string; ref: Reference } | undefined;
/** Removed when the test file ends (registered at load, outside any one test). */
const ROOT = tempDir('chunkfs-fsck');
let cases = 0;

/** A fresh copy of the reference filesystem on a file store (built once per test file, then copied). */
export async function fileEnv(): Promise<FsEnv> {
  if (!template) {
    const dir = join(ROOT, 'template');
    const storeDir = join(dir, 'store');
    const localDir = join(dir, 'local');
    template = { storeDir, localDir, ref: await buildReference(new FileStore(storeDir), localDir) };
  }
  const dir = join(ROOT, `case-${++cases}`);
  const storeDir = join(dir, 'store');
  const localDir = join(dir, 'local');
  cpSync(template.storeDir, storeDir, { recursive: true, preserveTimestamps: true });
  cpSync(template.localDir, localDir, { recursive: true, preserveTimestamps: true });
  const ref = { sb: template.ref.sb, entries: new Map([...template.ref.entries].map(([k, v]) => [k, { ...v }])) };
  return { store: new FileStore(storeDir), storeDir, localDir, dbPath: join(localDir, ref.sb.uuid, 'meta.db'), ref };
}

/** A fingerprint of everything fsck could change: every key and its bytes, the local database and journal. */
export async function fingerprint(env: FsEnv): Promise<string> {
  const h = createHash('sha256');
  for await (const o of listAll(env.store, '')) {
    h.update(`${o.key} ${o.size} ${o.mtimeMs}\n`);
    h.update(await env.store.get(o.key));
  }
  for (const s of ['', '-wal']) {
    const p = env.dbPath + s;
    h.update(`${s}:${existsSync(p) ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'none'}\n`);
  }
  return h.digest('hex');
}

/** The contents of a file, read through the vfs. */
export async function readAll(vfs: Vfs, ino: number): Promise<Buffer> {
  const attr = await vfs.getattr(ino);
  const fh = await vfs.open(ino, O_RDONLY);
  try {
    return await vfs.read(fh, 0, attr.size);
  } finally {
    await vfs.release(fh);
  }
}

/** The inode a path names, or null. */
export async function resolvePath(vfs: Vfs, path: string): Promise<number | null> {
  let ino = ROOT_INO;
  for (const part of path.split('/').filter(Boolean)) {
    try {
      ino = (await vfs.lookup(ino, b(part))).ino;
    } catch {
      return null;
    }
  }
  return ino;
}
