import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { objectKey } from '../../src/metadata/layout.js';
import { openMetadata } from '../../src/metadata/sqlite.js';
import { formatStore } from '../../src/metadata/superblock.js';
import { ROOT_INO, type Superblock } from '../../src/metadata/types.js';
import { FileStore } from '../../src/store/file.js';
import type { ObjectStore } from '../../src/store/types.js';
import { openFilesystem } from '../../src/vfs/filesystem.js';
import { O_RDONLY } from '../../src/vfs/flags.js';
import type { Vfs } from '../../src/vfs/types.js';
import { tempDir } from '../helpers/tmp.js';
import { ACKED_FILES, MiB, ackedName, contents, victim, type CrashPoint } from './crash-work.js';

const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'crash-child.js');

interface Message {
  acked?: number | 'victim';
  crashpoint?: CrashPoint;
  copying?: boolean;
  error?: string;
}

/**
 * Runs the child until every file is acknowledged and it reached `point` (or, for
 * mid-copy, is copying), then SIGKILLs it there.
 */
async function runAndKill(storeDir: string, localDir: string, point: CrashPoint): Promise<Set<number | 'victim'>> {
  const acked = new Set<number | 'victim'>();
  let stopped = false;
  let child: ChildProcess | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      child = fork(CHILD, [storeDir, localDir, point], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const ready = () => acked.has('victim') && stopped;
      child.on('message', (m: Message) => {
        if (m.error) reject(new Error(`crash child failed: ${m.error}`));
        if (m.acked !== undefined) acked.add(m.acked);
        if (m.crashpoint || m.copying) stopped = true;
        if (ready()) resolve();
      });
      child.on('exit', (code, signal) => reject(new Error(`crash child exited early (${code ?? signal}): ${stderr}`)));
    });
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }
  return acked;
}

async function read(vfs: Vfs, name: string): Promise<Buffer> {
  const attr = await vfs.lookup(ROOT_INO, Buffer.from(name));
  const fh = await vfs.open(attr.ino, O_RDONLY);
  try {
    return await vfs.read(fh, 0, attr.size + 1);
  } finally {
    await vfs.release(fh);
  }
}

/** Every object the metadata references is in the store. */
async function assertNoDanglingChunks(store: ObjectStore, localDir: string, sb: Superblock): Promise<number> {
  const meta = openMetadata(join(localDir, sb.uuid, 'meta.db'), sb);
  let checked = 0;
  try {
    let after: string | null = null;
    for (;;) {
      const page = meta.referencedObjects(after, 500);
      if (page.length === 0) return checked;
      for (const { objectId } of page) {
        assert.ok(await store.head(objectKey(objectId)), `referenced object ${objectId} is missing from the store`);
        checked++;
      }
      after = page[page.length - 1]!.objectId;
    }
  } finally {
    meta.close();
  }
}

async function crashAndCheck(point: CrashPoint, checkVictim: (v: Buffer) => void): Promise<void> {
  const base = tempDir('chunkfs-crash');
  const storeDir = join(base, 'store');
  const localDir = join(base, 'local');
  const store = new FileStore(storeDir);
  const sb = await formatStore(store, { chunkSize: MiB });
  const acked = await runAndKill(storeDir, localDir, point);
  assert.equal(acked.size, ACKED_FILES + 1);

  // The killed child's lease names a dead process of this host: taken over without --force.
  const fs = await openFilesystem({ store, localDir, snapshotIntervalMs: 0, warn: () => {} });
  try {
    for (let i = 0; i < ACKED_FILES; i++) assert.ok((await read(fs.vfs, ackedName(i))).equals(contents(i)), `${ackedName(i)} intact`);
    checkVictim(await read(fs.vfs, 'victim'));
    assert.ok((await assertNoDanglingChunks(store, localDir, sb)) > 0);
  } finally {
    await fs.close();
  }
  // After a clean close (snapshot, due deletions), still nothing referenced is missing.
  await assertNoDanglingChunks(store, localDir, sb);
}

/** Each chunk of the victim is wholly its old or wholly its new version. */
function oldOrNewPerChunk(v: Buffer): void {
  assert.equal(v.length, 2 * MiB);
  for (let c = 0; c < 2; c++) {
    const part = v.subarray(c * MiB, (c + 1) * MiB);
    assert.ok(part.equals(victim(1).subarray(0, MiB)) || part.equals(victim(2).subarray(0, MiB)), `victim chunk ${c} is old or new`);
  }
}

test('crash after a chunk PUT, before its commit: acknowledged files intact, the unacknowledged overwrite absent', async () => {
  await crashAndCheck('after-put', (v) => assert.ok(v.equals(victim(1)), 'nothing of the uncommitted overwrite shows'));
});

test('crash after the commit, before the retired objects are snapshotted and deleted: everything intact', async () => {
  await crashAndCheck('before-snapshot', (v) => assert.ok(v.equals(victim(2)), 'the fsynced overwrite is there'));
});

test('crash after the snapshot upload, before deleting the retired objects: everything intact', async () => {
  await crashAndCheck('before-delete', (v) => assert.ok(v.equals(victim(2))));
});

test('SIGKILL in the middle of copying a large file: every fsynced file intact, nothing referenced missing', async () => {
  await crashAndCheck('mid-copy', (v) => assert.ok(v.equals(victim(2))));
});

test('writeback mode: files closed (journaled, never uploaded) before SIGKILL are recovered intact at the next mount', async () => {
  await crashAndCheck('writeback-journal', oldOrNewPerChunk);
});
