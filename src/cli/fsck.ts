import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { runFsck } from '../fsck/fsck.js';
import { formatJson, formatSummary } from '../fsck/summary.js';
import { FSCK_EXIT, type RepairMode } from '../fsck/types.js';
import { openStore } from '../store/open.js';
import type { StoreOptions } from '../store/types.js';
import type { CliCommand } from './command.js';
import { describeFailure } from './exit.js';
import { parseLocalFlags, type LocalFlags } from './local-flags.js';
import { addStoreFlags, CLI_RETRY, STORE_HELP } from './store-options.js';

export interface FsckCliOptions {
  store: string;
  /** false: check only; 'zero' or 'lost': repair (see `RepairMode`). */
  repair: false | RepairMode;
  verifyData?: boolean;
  json?: boolean;
  force?: boolean;
  graceMs?: number;
  /** Local dir (`<dir>/<uuid>/meta.db`); default ${XDG_DATA_HOME:-~/.local/share}/chunkfs. */
  localDir: string;
  storeOptions?: StoreOptions;
  out?: (text: string) => void;
  err?: (line: string) => void;
}

export const help = `
Checks the chunkfs filesystem in STORE, in a fixed order: dirty chunks a crash left in the
local journal; the metadata on its own (names, reachability, link counts, cycles, chunk
rows, sizes, reference counts, modes); the metadata against the store (missing objects,
wrong sizes, orphans, due deletions); with --verify-data, every object's checksum.

It checks the local database of the mount (<local dir>/<uuid>/meta.db) if there is one,
else the newest metadata snapshot in the store. Without --repair it changes nothing
anywhere. With --repair it takes the filesystem's lease (refused while a writable mount
holds it, unless --force), logs every repair on stderr, and uploads a metadata snapshot.

A chunk whose object is missing or corrupt is dropped (it reads as zeros) and its file is
marked with the xattr user.chunkfs.damaged; with --repair=lost the file moves to
/lost+found instead. Unreferenced objects younger than --grace (default 1h) are left alone:
a live mount may be about to commit them.

Exit codes (as e2fsck): 0 clean, 1 errors corrected, 4 errors left uncorrected,
8 operational error, 16 usage error.

Examples:
  chunkfs fsck s3://my-bucket/fs
  chunkfs fsck s3://my-bucket/fs --repair
  chunkfs fsck file:///srv/chunkfs --repair=lost --verify-data --json
${STORE_HELP}`;

/** `--repair` given bare is `zero`; `--repair=lost` moves damaged files to /lost+found. */
export function parseRepair(value: string | boolean | undefined): false | RepairMode {
  if (value === undefined || value === false) return false;
  if (value === true || value === 'zero') return 'zero';
  if (value === 'lost') return 'lost';
  throw new UsageError(`--repair takes no value or "lost", not "${value}"`);
}

export async function run(o: FsckCliOptions): Promise<number> {
  const out = o.out ?? ((t: string) => void process.stdout.write(`${t}\n`));
  const err = o.err ?? ((l: string) => void process.stderr.write(`${l}\n`));
  try {
    const store = await openStore(o.store, { retry: CLI_RETRY, ...o.storeOptions });
    try {
      const report = await runFsck({
        store,
        localDir: o.localDir,
        repair: o.repair,
        verifyData: o.verifyData,
        force: o.force,
        graceMs: o.graceMs,
        log: err,
      });
      out(o.json ? formatJson(report) : formatSummary(report));
      return report.exitCode;
    } finally {
      await store.close();
    }
  } catch (e) {
    err(describeFailure(e).line);
    return e instanceof UsageError ? FSCK_EXIT.usage : FSCK_EXIT.operational;
  }
}

type FsckFlags = LocalFlags & { repair?: string | boolean; verifyData?: boolean; json?: boolean; force?: boolean };

export const command: CliCommand = {
  name: 'fsck',
  register(program: Command, done) {
    const cmd = program
      .command('fsck')
      .description('check (and with --repair, repair) a filesystem')
      .argument('[store]', 'store URL: file:///abs/dir or s3://bucket[/prefix]')
      .addOption(new Option('--repair [mode]', 'repair what is found; --repair=lost moves damaged files to /lost+found'))
      .option('--verify-data', 'download every object and verify its checksum')
      .option('--json', 'print the report as JSON')
      .option('--force', 'repair even while a writable mount holds the lease')
      .option('--grace <duration>', 'leave unreferenced objects younger than this (default 1h)')
      .option('--cache-dir <dir>', 'local dir of the mount (as -o cache_dir)')
      .addHelpText('after', help);
    addStoreFlags(cmd, 'cache_dir=DIR and store options, comma-separated').action((store: string | undefined, flags: FsckFlags) => {
      done(
        (async () => {
          try {
            let repairFlag = flags.repair;
            // `fsck --repair STORE`: commander hands the store to --repair's optional value.
            if (!store && typeof repairFlag === 'string' && repairFlag.includes('://')) [store, repairFlag] = [repairFlag, true];
            if (!store) throw new UsageError('fsck needs a STORE (e.g. s3://bucket/prefix or file:///dir)');
            const local = parseLocalFlags(flags);
            return await run({ store, repair: parseRepair(repairFlag), verifyData: flags.verifyData, json: flags.json, force: flags.force, ...local });
          } catch (e) {
            process.stderr.write(`${describeFailure(e).line}\n`);
            return e instanceof UsageError ? FSCK_EXIT.usage : FSCK_EXIT.operational;
          }
        })(),
      );
    });
  },
};
