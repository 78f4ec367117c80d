import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { describeHolder, readLease } from '../metadata/lease.js';
import { formatStore } from '../metadata/superblock.js';
import { parseSize } from '../fuse/options.js';
import { openStore } from './store-open.js';
import type { StoreOptions } from '../store/types.js';
import type { CliCommand } from './command.js';
import { EXIT_OK } from './exit.js';
import { formatBytes } from './human.js';
import { addStoreFlags, CLI_RETRY, mergeStoreFlags, parseStoreOptionList, STORE_HELP, type StoreFlags } from './store-options.js';

export interface FormatOptions {
  store: string;
  /** Bytes per chunk (power of two, 1 MiB to 64 MiB); default 4 MiB. */
  chunkSize?: number;
  force?: boolean;
  storeOptions?: StoreOptions;
  out?: (line: string) => void;
}

export const help = `
Makes STORE a new, empty chunkfs filesystem. The chunk size is fixed for the filesystem's life.
A store that already holds one is refused unless --force, which deletes its chunks and
metadata snapshots first; a store mounted writable somewhere is always refused.

Examples:
  chunkfs format file:///srv/chunkfs
  chunkfs format s3://my-bucket/fs --chunk-size 8M
  chunkfs format s3://test --endpoint http://127.0.0.1:9000 --path-style
${STORE_HELP}`;

export async function run(opts: FormatOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const store = await openStore(opts.store, { retry: CLI_RETRY, ...opts.storeOptions });
  try {
    const lease = await readLease(store);
    if (lease && lease.expiresMs > Date.now()) {
      throw new UsageError(`${store.description} is mounted writable by ${describeHolder(lease)}: unmount it before formatting`);
    }
    const sb = await formatStore(store, { chunkSize: opts.chunkSize, force: opts.force });
    out(`formatted ${store.description}: uuid ${sb.uuid}, chunk size ${formatBytes(sb.chunkSize)}`);
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

export const command: CliCommand = {
  name: 'format',
  register(program: Command, done) {
    const cmd = program
      .command('format')
      .description('make a store a new chunkfs filesystem')
      .argument('<store>', 'store URL: file:///abs/dir or s3://bucket[/prefix]')
      .option('--chunk-size <size>', 'chunk size, a power of two from 1M to 64M', '4M')
      .option('--force', 'format a store that already holds a filesystem (deletes it)')
      .addHelpText('after', help);
    addStoreFlags(cmd).action((store: string, flags: StoreFlags & { chunkSize: string; force?: boolean }) => {
      done(
        (async () =>
          run({
            store,
            chunkSize: parseSize(flags.chunkSize, '--chunk-size'),
            force: flags.force,
            storeOptions: mergeStoreFlags(parseStoreOptionList(flags.o ?? []), flags),
          }))(),
      );
    });
  },
};
