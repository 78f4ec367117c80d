import { Option, type Command } from 'commander';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { loadFuse } from '../fuse/binding.js';
import { checkMountpoint } from '../fuse/mountpoint.js';
import { parseMountOptions, type MountOptions } from '../fuse/options.js';
import { openStore } from './store-open.js';
import { parseStoreUrl } from '../store/url.js';
import type { CliCommand } from './command.js';
import { describeFailure, EXIT_OK } from './exit.js';
import { DAEMON_ENV, DaemonFailed, startDaemon, tellParent } from './mount-daemon.js';
import { defaultLocalDir, embeddedStoreUrl, mountpointSlug } from './locations.js';
import { addStoreFlags, CLI_RETRY, mergeStoreFlags, storeOptionItems, STORE_HELP, type StoreFlags } from './store-options.js';
import { superblockOf } from './store-probe.js';

export interface MountCliOptions {
  /** Store URL; undefined mounts the embedded default store. */
  store?: string;
  mountpoint: string;
  /** `-o` lists as given. */
  o: string[];
  storeFlags?: StoreFlags;
  /** Stay in the foreground and log to stderr. */
  foreground?: boolean;
  /** Take over a live lease held by another mount. */
  force?: boolean;
  out?: (line: string) => void;
}

export const help = `
Mounts the chunkfs filesystem in STORE on MOUNTPOINT. Without STORE, mounts the embedded
default store file://<local dir>/store, formatting it on first use. In the background by
default: the command returns once the mount is live (or prints why it failed); the daemon
logs to <local dir>/log/. With -f it stays in the foreground and logs to stderr; Ctrl-C
unmounts. Unmount with \`chunkfs umount MOUNTPOINT\` (or umount / fusermount -u).

The local dir holds the metadata database and the chunk cache:
\${XDG_DATA_HOME:-~/.local/share}/chunkfs, or -o cache_dir=DIR.

Mount options (-o, comma-separated; repeatable):
  ro                      read-only (needs no lease; many read-only mounts may coexist)
  allow_other, allow_root let other users (or root) use the mount
  default_permissions     the kernel checks permissions (always on)
  auto_unmount            unmount when the daemon dies
  uid=N, gid=N            show every file as owned by N
  umask=M, fmask=M, dmask=M   clear permission bits (all, files, directories), octal
  entry_timeout=S, attr_timeout=S, negative_timeout=S   kernel cache times, seconds
  kernel_cache, auto_cache    keep file data in the kernel page cache
  fsname=NAME, subtype=NAME   names shown in /proc/mounts (default STORE, fuse.chunkfs)
  nonempty                mount over a non-empty directory
  cache_dir=DIR           local dir (metadata, cache, logs)
  cache_size=SIZE         disk cache of clean chunks, e.g. 10G (default 1G;
                          0 for a file:// store, which is local already)
  cache_large_writes      keep whole chunks a writer uploaded in the disk cache too
                          (default: only partial chunks, e.g. small files, go there)
  writeback               close() returns once data is in the local journal
  upload_concurrency=N    parallel uploads
  snapshot_interval=T     metadata snapshot period, e.g. 10m
  endpoint=, region=, path_style, passwd_file=, profile=   store options (below)
  rw, defaults, _netdev, auto, noauto, user, nouser, exec, dev, suid: accepted, ignored

Examples:
  chunkfs mount ~/cfs                                  # embedded default store
  chunkfs mount s3://my-bucket/fs /mnt/data
  chunkfs mount s3://test /mnt/t -o endpoint=http://127.0.0.1:9000,path_style
  chunkfs s3://my-bucket /mnt/data -o allow_other,cache_size=20G    # s3fs form
  chunkfs mount -f file:///srv/chunkfs /mnt/x          # foreground, logs to stderr
${STORE_HELP}`;

interface Plan {
  storeUrl: string;
  embedded: boolean;
  localDir: string;
  mountpoint: string;
  options: MountOptions;
}

/** Checks everything that can be checked here, before any daemon starts. */
async function plan(opts: MountCliOptions): Promise<Plan> {
  const options = parseMountOptions(opts.o);
  options.store = mergeStoreFlags(options.store, opts.storeFlags ?? {});
  const localDir = resolve(options.fs.cacheDir ?? defaultLocalDir());
  const embedded = opts.store === undefined;
  const storeUrl = opts.store ?? embeddedStoreUrl(localDir);
  parseStoreUrl(storeUrl);
  const mountpoint = await checkMountpoint(opts.mountpoint, { nonempty: options.nonempty });
  loadFuse();
  return { storeUrl, embedded, localDir, mountpoint, options };
}

/** Opens the store briefly with a short retry budget: bad credentials, a missing bucket or
 * an unreachable endpoint fail in seconds, with the store's own message. */
async function probe(p: Plan): Promise<void> {
  const store = await openStore(p.storeUrl, { ...p.options.store, retry: CLI_RETRY });
  try {
    await superblockOf(store, p.embedded);
  } finally {
    await store.close();
  }
}

/** The arguments that make a daemon serve exactly this mount. */
function daemonArgs(p: Plan, opts: MountCliOptions): string[] {
  const args = ['mount', p.storeUrl, p.mountpoint, '-f'];
  for (const o of opts.o) args.push('-o', o);
  // Store flags travel as -o items; store options given with -o are in opts.o already.
  const storeItems = storeOptionItems(mergeStoreFlags({}, opts.storeFlags ?? {}));
  if (storeItems.length > 0) args.push('-o', storeItems.join(','));
  if (p.embedded) args.push('--embedded');
  if (opts.force) args.push('--force');
  return args;
}

const logLine = (line: string): void => void process.stderr.write(`${new Date().toISOString()} chunkfs[${process.pid}]: ${line}\n`);

export async function run(opts: MountCliOptions & { embedded?: boolean }): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const asDaemon = process.env[DAEMON_ENV] === '1' && typeof process.send === 'function';
  let p: Plan;
  try {
    p = await plan(opts);
    if (opts.embedded) p.embedded = true;
  } catch (err) {
    if (asDaemon) await tellParent({ type: 'error', ...describeFailure(err) });
    throw err;
  }
  if (!opts.foreground) {
    await probe(p);
    const logFile = join(p.localDir, 'log', `${mountpointSlug(p.mountpoint)}.log`);
    try {
      const ready = await startDaemon(daemonArgs(p, opts), logFile);
      out(`mounted ${ready.store} on ${ready.mountpoint} (pid ${ready.pid}, log ${logFile})`);
      return EXIT_OK;
    } catch (err) {
      if (err instanceof DaemonFailed) {
        process.stderr.write(`chunkfs: ${err.message}\n`);
        return err.exitCode;
      }
      throw err;
    }
  }
  try {
    const { serveMount } = await import('./mount-serve.js');
    return await serveMount({
      storeUrl: p.storeUrl,
      embedded: p.embedded,
      mountpoint: p.mountpoint,
      localDir: p.localDir,
      options: p.options,
      forceLease: opts.force,
      logFile: asDaemon ? join(p.localDir, 'log', `${mountpointSlug(p.mountpoint)}.log`) : undefined,
      log: logLine,
      onReady: async (rec) => {
        logLine(`mounted ${rec.store} on ${rec.mountpoint}${rec.readOnly ? ' read-only' : ''}`);
        if (asDaemon) await tellParent({ type: 'ready', pid: process.pid, mountpoint: rec.mountpoint, store: rec.store });
        else process.stderr.write(`chunkfs: mounted ${rec.store} on ${rec.mountpoint} (foreground; Ctrl-C unmounts)\n`);
      },
    });
  } catch (err) {
    if (asDaemon) await tellParent({ type: 'error', ...describeFailure(err) });
    throw err;
  }
}

export const command: CliCommand = {
  name: 'mount',
  register(program: Command, done) {
    const cmd = program
      .command('mount')
      .description('mount a chunkfs filesystem (in the background unless -f)')
      .argument('[store]', 'store URL (default: the embedded local store)')
      .argument('[mountpoint]', 'directory to mount on')
      .option('-f, --foreground', 'stay in the foreground, log to stderr')
      .option('--force', "take over another mount's live lease")
      .addOption(new Option('--embedded', 'the store is the embedded default store').hideHelp())
      .addHelpText('after', help);
    addStoreFlags(cmd, 'mount options, comma-separated (see below)').action(
      (a: string | undefined, b: string | undefined, flags: StoreFlags & { foreground?: boolean; force?: boolean; embedded?: boolean }) => {
        done(
          (async () => {
            if (a === undefined) throw new UsageError('mount needs a MOUNTPOINT: chunkfs mount [STORE] MOUNTPOINT');
            const [store, mountpoint] = b === undefined ? [undefined, a] : [a, b];
            return run({ store, mountpoint, o: flags.o ?? [], storeFlags: flags, foreground: flags.foreground, force: flags.force, embedded: flags.embedded });
          })(),
        );
      },
    );
  },
};
