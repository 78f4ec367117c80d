import { serve } from '../fuse/mount.js';
import type { MountOptions } from '../fuse/options.js';
import { readLease } from '../metadata/lease.js';
import { parseStoreUrl } from '../store/url.js';
import { openStore } from './store-open.js';
import { openFilesystem } from '../vfs/filesystem.js';
import type { Vfs } from '../vfs/types.js';
import { removeRecord, writeRecord, writeRecordAsync, type RuntimeRecord } from './runtime.js';
import { lastSnapshot, superblockOf } from './store-probe.js';

export interface ServeArgs {
  storeUrl: string;
  embedded: boolean;
  mountpoint: string;
  localDir: string;
  options: MountOptions;
  forceLease?: boolean;
  logFile?: string;
  /** Called once the mount is live. */
  onReady: (rec: RuntimeRecord) => Promise<void>;
  log: (line: string) => void;
}

const RECORD_EVERY_MS = 1000;
const SNAPSHOT_LOOK_EVERY_MS = 30_000;

/**
 * A file store is local disk already: copying its chunks to the disk cache as they are
 * read would double the disk traffic for nothing (its default is then 0; `cache_size`
 * still sets one, for a file store on a network filesystem). Others: the chunker's default.
 */
function defaultCacheSize(storeUrl: string): number | undefined {
  return parseStoreUrl(storeUrl).scheme === 'file' ? 0 : undefined;
}

/** Namespace totals for the runtime record. */
async function usageOf(vfs: Vfs): Promise<RuntimeRecord['usage']> {
  return vfs.usage();
}

/**
 * Serves a mount in this process until it is unmounted or signalled: opens the store and
 * the filesystem (taking the lease unless read-only), mounts, keeps the runtime record
 * fresh, and on the way out closes everything and marks the record stopped.
 * Returns the exit code.
 */
export async function serveMount(a: ServeArgs): Promise<number> {
  const o = a.options;
  const store = await openStore(a.storeUrl, o.store);
  let fs;
  try {
    await superblockOf(store, a.embedded);
    fs = await openFilesystem({
      store,
      localDir: a.localDir,
      cacheSize: o.fs.cacheSize ?? defaultCacheSize(a.storeUrl),
      cacheLargeWrites: o.fs.cacheLargeWrites,
      writeback: o.fs.writeback,
      uploadConcurrency: o.fs.uploadConcurrency,
      snapshotIntervalMs: o.fs.snapshotIntervalMs,
      readOnly: o.readOnly,
      forceLease: a.forceLease,
      warn: a.log,
    });
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  const filesystem = fs;
  let served;
  try {
    served = await serve({
      mountpoint: a.mountpoint,
      vfs: filesystem.vfs,
      options: o,
      fsname: store.description,
      log: a.log,
      close: () => filesystem.close(),
    });
  } catch (err) {
    await filesystem.close().catch((e: unknown) => a.log(`closing after a failed mount: ${String(e)}`));
    await store.close().catch(() => undefined);
    throw err;
  }

  const rec: RuntimeRecord = {
    pid: process.pid,
    mountpoint: a.mountpoint,
    store: store.description,
    uuid: filesystem.superblock.uuid,
    chunkSize: filesystem.superblock.chunkSize,
    readOnly: o.readOnly,
    writeback: o.fs.writeback,
    logFile: a.logFile,
    stateDir: filesystem.stateDir,
    startedMs: Date.now(),
    updatedMs: Date.now(),
    state: 'running',
    data: filesystem.vfs.stats(),
    fuse: served.counters,
  };
  let stopped = false;
  let refreshing: Promise<void> | null = null;
  const refreshOnce = async (): Promise<void> => {
    rec.updatedMs = Date.now();
    rec.data = filesystem.vfs.stats();
    rec.fuse = served.counters;
    rec.usage = await usageOf(filesystem.vfs).catch(() => rec.usage);
    if (!stopped) await writeRecordAsync(rec);
  };
  // One refresh at a time (they share a temp file); a tick that finds one running is skipped.
  const refresh = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    refreshing ??= refreshOnce().finally(() => (refreshing = null));
    return refreshing;
  };
  const lookAtStore = async (): Promise<void> => {
    rec.lastSnapshot = (await lastSnapshot(store).catch(() => rec.lastSnapshot)) ?? rec.lastSnapshot;
    const lease = await readLease(store).catch(() => null);
    if (lease) rec.lease = { host: lease.host, pid: lease.pid, sinceMs: lease.sinceMs, expiresMs: lease.expiresMs };
  };
  await lookAtStore();
  await refresh();
  const timer = setInterval(() => void refresh().catch((e) => a.log(`runtime record: ${String(e)}`)), RECORD_EVERY_MS);
  const storeTimer = setInterval(() => void lookAtStore(), SNAPSHOT_LOOK_EVERY_MS);
  const onUsr1 = (): void => void lookAtStore().then(refresh);
  process.on('SIGUSR1', onUsr1);
  await a.onReady(rec);

  const code = await served.done;
  stopped = true;
  // A refresh still writing would otherwise rename a `running` record over the final one.
  await (refreshing as Promise<void> | null)?.catch(() => undefined);
  clearInterval(timer);
  clearInterval(storeTimer);
  process.off('SIGUSR1', onUsr1);
  rec.data = filesystem.vfs.stats();
  rec.fuse = served.counters;
  rec.lastSnapshot = (await lastSnapshot(store).catch(() => undefined)) ?? rec.lastSnapshot;
  rec.lease = undefined;
  await store.close().catch(() => undefined);
  rec.state = 'stopped';
  rec.exitCode = code;
  rec.updatedMs = Date.now();
  try {
    writeRecord(rec);
  } catch {
    removeRecord(a.mountpoint);
  }
  return code;
}
