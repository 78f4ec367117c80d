/**
 * The process the crash tests kill: opens the filesystem on a file store, writes and makes
 * durable some files (telling the parent each one), then runs on until a crash point, where
 * it tells the parent and stops answering, so the parent's SIGKILL lands exactly there.
 *
 * Usage (by the test only): node crash-child.js <storeDir> <localDir> <crashPoint>
 * Run without an IPC channel (as a test runner would run any file in this folder), it exits.
 */
import { FileStore } from '../../src/store/file.js';
import type { ObjectStore } from '../../src/store/types.js';
import { StoreWrapper, type StoreCall } from '../../src/store/wrapper.js';
import { ROOT_INO } from '../../src/metadata/types.js';
import { openFilesystem } from '../../src/vfs/filesystem.js';
import { O_CREAT, O_RDWR, O_WRONLY } from '../../src/vfs/flags.js';
import type { Vfs } from '../../src/vfs/types.js';
import { ACKED_FILES, MiB, ackedName, contents, victim, type CrashPoint } from './crash-work.js';

const ME = { uid: 0, gid: 0 };
const never = new Promise<never>(() => {});

/** Stops every call (it never settles) once the armed crash point is reached. */
class Stopper extends StoreWrapper {
  armed = false;
  stopped = false;
  constructor(inner: ObjectStore, private readonly point: CrashPoint) {
    super(inner);
  }

  protected async around<T>(call: StoreCall, run: () => Promise<T>): Promise<T> {
    if (this.stopped) return never;
    const isChunk = call.key.startsWith('chunks/');
    if (this.armed) {
      const stopBefore =
        (this.point === 'before-snapshot' && call.op === 'put' && call.key.endsWith('.db.gz')) ||
        (this.point === 'before-delete' && (call.op === 'delete' || call.op === 'deleteMany') && isChunk) ||
        (this.point === 'writeback-journal' && call.op === 'put' && isChunk);
      if (stopBefore) return this.stop();
    }
    const result = await run();
    if (this.armed && this.point === 'after-put' && call.op === 'put' && isChunk) return this.stop();
    return result;
  }

  private stop(): Promise<never> {
    if (!this.stopped) {
      this.stopped = true;
      process.send!({ crashpoint: this.point });
    }
    return never;
  }
}

async function writeFile(vfs: Vfs, name: string, data: Buffer, durable: 'fsync' | 'close'): Promise<void> {
  const { fh } = await vfs.create(ROOT_INO, Buffer.from(name), 0o644, O_WRONLY | O_CREAT, ME);
  for (let at = 0; at < data.length; at += 256 * 1024) await vfs.write(fh, at, data.subarray(at, at + 256 * 1024));
  if (durable === 'fsync') await vfs.fsync(fh, false);
  await vfs.release(fh);
}

async function main(): Promise<void> {
  const [storeDir, localDir, point] = process.argv.slice(2) as [string, string, CrashPoint];
  const store = new Stopper(new FileStore(storeDir), point);
  const writeback = point === 'writeback-journal';
  const fs = await openFilesystem({ store, localDir, writeback, snapshotIntervalMs: 0, warn: () => {} });
  const { vfs } = fs;
  if (writeback) store.armed = true; // nothing reaches the store: acknowledged data is only in the journal
  await writeFile(vfs, 'victim', victim(1), writeback ? 'close' : 'fsync');
  for (let i = 0; i < ACKED_FILES; i++) {
    await writeFile(vfs, ackedName(i), contents(i), writeback ? 'close' : 'fsync');
    process.send!({ acked: i });
  }
  process.send!({ acked: 'victim' });
  store.armed = true;

  // Unacknowledged work from here on: overwrite the victim (PUT, commit, retire), snapshot
  // (upload, then delete the retired objects), then copy a large file until killed.
  const v = (await vfs.lookup(ROOT_INO, Buffer.from('victim'))).ino;
  const fh = await vfs.open(v, O_RDWR);
  await vfs.write(fh, 0, victim(2));
  await vfs.fsync(fh, false);
  await vfs.release(fh);
  await fs.snapshotNow();
  const copy = await vfs.create(ROOT_INO, Buffer.from('copy'), 0o644, O_WRONLY | O_CREAT, ME);
  const block = Buffer.alloc(MiB, 0x77);
  for (let at = 0; ; at += MiB) {
    await vfs.write(copy.fh, at, block);
    if (at % (8 * MiB) === 0) await vfs.fsync(copy.fh, false);
    if (at === 4 * MiB) process.send!({ copying: true });
  }
}

if (process.send && process.argv.length >= 5) {
  main().catch((err) => {
    process.send!({ error: String(err?.stack ?? err) });
    process.exit(1);
  });
}
