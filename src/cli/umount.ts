import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { ChunkfsError, UsageError } from '../errors.js';
import { findMount } from '../fuse/mountinfo.js';
import type { CliCommand } from './command.js';
import { EXIT_FAILURE, EXIT_OK } from './exit.js';
import { formatBytes } from './human.js';
import { isAlive, readRecord, removeRecord, type RuntimeRecord } from './runtime.js';

export interface UmountOptions {
  mountpoint: string;
  /** Detach even when busy (files stay usable until closed). */
  lazy?: boolean;
  /** Give up waiting for the daemon after this long (default 10 minutes). */
  timeoutMs?: number;
  out?: (line: string) => void;
}

export const help = `
Unmounts MOUNTPOINT and waits until its daemon has uploaded everything and exited, then
reports what it uploaded. A dead mount (its daemon was killed) is cleared, and the next
mount recovers the filesystem. A busy mount is refused unless --lazy.

Examples:
  chunkfs umount /mnt/data
  chunkfs umount --lazy /mnt/data
Plain \`umount /mnt/data\` and \`fusermount -u /mnt/data\` work too; the daemon notices and
shuts down the same way (without waiting for it).`;

class UmountError extends ChunkfsError {
  constructor(message: string) {
    super('ERR_MOUNT', message);
  }
}

const run_ = (cmd: string, args: string[]): Promise<{ ok: boolean; stderr: string }> =>
  new Promise((res) => execFile(cmd, args, (err, _stdout, stderr) => res({ ok: !err, stderr: String(stderr) })));

/** fusermount -u (or -uz); `fusermount` is fuse3's on current systems, both understand these flags. */
async function fusermount(mountpoint: string, lazy: boolean): Promise<void> {
  const r = await run_('fusermount', [lazy ? '-uz' : '-u', mountpoint]);
  if (r.ok) return;
  if (/busy/i.test(r.stderr)) throw new UmountError(`${mountpoint} is busy (files are open there); close them, or use --lazy`);
  throw new UmountError(`cannot unmount ${mountpoint}: ${r.stderr.trim().split('\n').pop()}`);
}

async function isDeadMount(mountpoint: string): Promise<boolean> {
  try {
    await stat(mountpoint);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOTCONN';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

function report(rec: RuntimeRecord | undefined): string {
  if (!rec) return '';
  return ` (uploaded ${rec.data.uploadedObjects} objects, ${formatBytes(rec.data.uploadedBytes)})`;
}

export async function run(opts: UmountOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const mnt = resolve(opts.mountpoint);
  const mounted = await findMount(mnt);
  const rec = readRecord(mnt);
  const daemonAlive = rec !== undefined && rec.state === 'running' && isAlive(rec.pid);
  if (!mounted) {
    if (rec && daemonAlive) {
      // Unmounted from outside a moment ago: the daemon is still closing.
      await waitForExit(rec.pid, opts.timeoutMs ?? 600_000);
    } else {
      removeRecord(mnt);
      throw new UsageError(`${mnt} is not mounted`);
    }
  } else if (!mounted.fstype.startsWith('fuse')) {
    throw new UsageError(`${mnt} is not a chunkfs mount (it is ${mounted.fstype} from ${mounted.source})`);
  } else if (!daemonAlive || (await isDeadMount(mnt))) {
    await fusermount(mnt, true);
    if (rec && isAlive(rec.pid)) process.kill(rec.pid, 'SIGKILL');
    // A killed daemon may take a moment to exit; until it has, its lease looks live.
    if (rec && !(await waitForExit(rec.pid, 10_000))) throw new UmountError(`cleared the dead mount ${mnt}, but its daemon (pid ${rec.pid}) does not exit`);
    removeRecord(mnt);
    out(`cleared the dead mount ${mnt}${rec ? ` (daemon pid ${rec.pid} was gone)` : ''}; mount it again to recover`);
    return EXIT_OK;
  } else {
    await fusermount(mnt, opts.lazy ?? false);
    if (!(await waitForExit(rec!.pid, opts.timeoutMs ?? 600_000))) {
      throw new UmountError(`unmounted ${mnt}, but its daemon (pid ${rec!.pid}) is still uploading; see ${rec!.logFile ?? 'its log'}`);
    }
  }
  const last = readRecord(mnt) ?? rec;
  removeRecord(mnt);
  if (last?.state === 'stopped' && last.exitCode) {
    process.stderr.write(`chunkfs: unmounted ${mnt}, but the filesystem did not close cleanly (see ${last.logFile ?? 'its log'}); mount it again to recover\n`);
    return EXIT_FAILURE;
  }
  out(`unmounted ${mnt}${report(last)}`);
  return EXIT_OK;
}

export const command: CliCommand = {
  name: 'umount',
  register(program: Command, done) {
    program
      .command('umount')
      .alias('unmount')
      .description('unmount, wait for the uploads to finish, report')
      .argument('<mountpoint>', 'the mounted directory')
      .option('-l, --lazy', 'detach even when files are open')
      .option('--timeout <seconds>', 'how long to wait for the daemon', '600')
      .addHelpText('after', help)
      .action((mountpoint: string, flags: { lazy?: boolean; timeout: string }) => {
        done(
          (async () => {
            const t = Number(flags.timeout);
            if (!Number.isFinite(t) || t <= 0) throw new UsageError(`--timeout must be a number of seconds, not "${flags.timeout}"`);
            return run({ mountpoint, lazy: flags.lazy, timeoutMs: t * 1000 });
          })(),
        );
      });
  },
};
