import type { Vfs } from '../vfs/types.js';
import { hasUtimensFix, loadFuse } from './binding.js';
import type { Logger } from './errno.js';
import { MountError } from './mount-errors.js';
import { findMount } from './mountinfo.js';
import { loadListedBinding } from './native-listed.js';
import { createOps, type FuseCounters } from './ops.js';
import { attrTimeoutMs, fuseNativeOptions, type MountOptions } from './options.js';

export interface ServeOptions {
  /** Absolute path, already checked (see `checkMountpoint`). */
  mountpoint: string;
  vfs: Vfs;
  options: MountOptions;
  /** Shown as the mount's source in /proc/mounts unless `-o fsname=` says otherwise. */
  fsname: string;
  log: Logger;
  /** Closes the filesystem once unmounted: flush, snapshot, lease release. */
  close: () => Promise<void>;
  /** How often to look for an unmount made by someone else (`umount`, `fusermount -u`). */
  pollMs?: number;
  /** Test hooks for FUSE availability (see `loadFuse`). */
  fuseDevice?: string;
}

export interface ServedMount {
  counters: FuseCounters;
  /** Resolves with the exit code once the mount is gone and the filesystem is closed. */
  done: Promise<number>;
  /** Unmounts (unless already gone) and closes; the same promise as `done`. */
  shutdown(reason: string): Promise<number>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Mounts the vfs on `mountpoint` and keeps it served until a signal (SIGINT, SIGTERM,
 * SIGHUP) or an unmount from outside. Either way it ends the same: unmount if still
 * mounted, close the filesystem (which uploads what is dirty, snapshots the metadata and
 * releases the lease), resolve `done` with 0, or 1 when closing failed.
 */
export async function serve(opts: ServeOptions): Promise<ServedMount> {
  const Fuse = loadFuse({ device: opts.fuseDevice });
  const { ops, counters } = createOps({
    vfs: opts.vfs,
    present: opts.options.present,
    readOnly: opts.options.readOnly,
    log: opts.log,
    attrTimeoutMs: attrTimeoutMs(opts.options),
    listedBinding: loadListedBinding(),
  });
  const fuse = new Fuse(opts.mountpoint, ops, fuseNativeOptions(opts.options, opts.fsname));
  await new Promise<void>((resolve, reject) =>
    fuse.mount((err) => (err ? reject(new MountError(`cannot mount on ${opts.mountpoint}: ${err.message}`, { cause: err })) : resolve())),
  );

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let stopping: Promise<number> | undefined;

  const unmount = (): Promise<void> =>
    new Promise((resolve) =>
      fuse.unmount((err) => {
        if (err) opts.log(`unmount of ${opts.mountpoint} failed: ${err.message}`);
        resolve();
      }),
    );

  const stop = (reason: string, mounted: boolean): Promise<number> =>
    (stopping ??= (async () => {
      opts.log(`stopping: ${reason}`);
      clearInterval(watch);
      for (const s of SIGNALS) process.off(s, onSignal);
      if (mounted) await unmount();
      let code = 0;
      try {
        await opts.close();
        opts.log('filesystem closed');
      } catch (err) {
        code = 1;
        opts.log(`closing the filesystem failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      resolveDone(code);
      return code;
    })());

  const onSignal = (sig: NodeJS.Signals): void => void stop(`received ${sig}`, true);
  for (const s of SIGNALS) process.on(s, onSignal);

  // Reading /proc/self/mountinfo does not touch our own mount, so it cannot deadlock the
  // thread that serves it.
  let polling = false;
  const watch = setInterval(() => {
    if (polling || stopping) return;
    polling = true;
    findMount(opts.mountpoint)
      .then((m) => {
        if (!m || !m.fstype.startsWith('fuse')) void stop('unmounted from outside', false);
      })
      .catch((err) => opts.log(`cannot read the mount table: ${String(err)}`))
      .finally(() => (polling = false));
  }, opts.pollMs ?? 500);

  opts.log(`mounted on ${opts.mountpoint}`);
  if (!hasUtimensFix()) opts.log('fuse-native runs its prebuilt addon: a utimensat that sets the mtime alone (tar -x, cp -p) is lost; build the fixed one with `node dist/src/fuse/native/build.js`');
  return { counters, done, shutdown: (reason) => stop(reason, true) };
}
