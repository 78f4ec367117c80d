import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { runGc } from '../fsck/gc.js';
import { openStore } from '../store/open.js';
import type { StoreOptions } from '../store/types.js';
import type { CliCommand } from './command.js';
import { describeFailure, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';
import { parseLocalFlags, type LocalFlags } from './local-flags.js';
import { formatBytes } from './human.js';
import { addStoreFlags, CLI_RETRY, STORE_HELP } from './store-options.js';

export interface GcCliOptions {
  store: string;
  dryRun?: boolean;
  graceMs?: number;
  localDir: string;
  storeOptions?: StoreOptions;
  /** Log every object deleted (stderr). */
  verbose?: boolean;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export const help = `
Deletes what the filesystem in STORE no longer needs: orphans (objects no metadata
references, older than --grace, default 1h, so that an upload a live mount is about to
commit is never deleted) and retired objects whose deletion is due. Nothing else changes.
It reads the mount's local database if there is one, else the newest snapshot.

Examples:
  chunkfs gc s3://my-bucket/fs --dry-run
  chunkfs gc file:///srv/chunkfs --grace 2h
${STORE_HELP}`;

export async function run(o: GcCliOptions): Promise<number> {
  const out = o.out ?? ((l: string) => void process.stdout.write(`${l}\n`));
  const err = o.err ?? ((l: string) => void process.stderr.write(`${l}\n`));
  const store = await openStore(o.store, { retry: CLI_RETRY, ...o.storeOptions });
  try {
    const r = await runGc({ store, localDir: o.localDir, dryRun: o.dryRun, graceMs: o.graceMs, log: o.verbose ? err : undefined });
    const verb = r.dryRun ? 'would delete' : 'deleted';
    out(`${verb} ${r.orphans.objects} orphan object(s), ${formatBytes(r.orphans.bytes)}`);
    out(`${verb} ${r.due.objects} retired object(s) whose deletion was due, ${formatBytes(r.due.bytes)}`);
    if (r.young > 0) out(`left ${r.young} unreferenced object(s) younger than the grace period`);
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

type GcFlags = LocalFlags & { dryRun?: boolean; verbose?: boolean };

export const command: CliCommand = {
  name: 'gc',
  register(program: Command, done) {
    const cmd = program
      .command('gc')
      .description('delete orphan objects and due deletions')
      .argument('<store>', 'store URL: file:///abs/dir or s3://bucket[/prefix]')
      .option('--dry-run', 'count what would be deleted; delete nothing')
      .option('--grace <duration>', 'leave unreferenced objects younger than this (default 1h)')
      .option('--cache-dir <dir>', 'local dir of the mount (as -o cache_dir)')
      .option('-v, --verbose', 'log every object deleted')
      .addHelpText('after', help);
    addStoreFlags(cmd, 'cache_dir=DIR and store options, comma-separated').action((store: string, flags: GcFlags) => {
      done(
        (async () => {
          try {
            return await run({ store, dryRun: flags.dryRun, verbose: flags.verbose, ...parseLocalFlags(flags) });
          } catch (e) {
            process.stderr.write(`${describeFailure(e).line}\n`);
            return e instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
          }
        })(),
      );
    });
  },
};
