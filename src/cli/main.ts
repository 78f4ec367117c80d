import { Command, CommanderError } from 'commander';
import type { CliCommand } from './command.js';
import { EXIT_USAGE, reportFailure } from './exit.js';
import { command as bench } from './bench.js';
import { command as format } from './format.js';
import { command as fsck } from './fsck.js';
import { command as gc } from './gc.js';
import { command as mount } from './mount.js';
import { command as status } from './status.js';
import { command as umount } from './umount.js';

/** The dispatch table: one entry per subcommand file. */
export const COMMANDS: CliCommand[] = [format, mount, umount, status, bench, fsck, gc];

const EXAMPLES = `
Examples:
  chunkfs mount ~/cfs                         # mount the embedded local store on ~/cfs
  chunkfs format s3://my-bucket/fs            # make a bucket prefix a filesystem
  chunkfs mount s3://my-bucket/fs /mnt/data   # mount it (in the background)
  chunkfs s3://my-bucket/fs /mnt/data -o allow_other   # the same, s3fs style
  chunkfs status /mnt/data
  chunkfs umount /mnt/data

Exit codes: 0 success, 1 failure, 2 usage error.
Run \`chunkfs <command> --help\` for a command's options and examples.`;

/**
 * The s3fs form `chunkfs STORE MOUNTPOINT [-o ...]` is `chunkfs mount STORE MOUNTPOINT ...`:
 * a first argument that is no command but looks like a store URL or a path.
 */
function rewriteS3fsForm(argv: string[], names: Set<string>): string[] {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || names.has(first) || first === 'help') return argv;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(first) || first.startsWith('/') || first.startsWith('.') ? ['mount', ...argv] : argv;
}

/** Parses the command line and runs one subcommand; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const names = new Set(COMMANDS.map((c) => c.name).concat('unmount'));
  let outcome: Promise<number> | undefined;
  const program = new Command('chunkfs')
    .description('mount an object store (S3 or a local directory) as a POSIX filesystem')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .addHelpText('after', EXAMPLES);
  for (const c of COMMANDS) c.register(program, (p) => (outcome = p));
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeErr: () => undefined, outputError: () => undefined });

  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(rewriteS3fsForm(argv, names), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0;
      process.stderr.write(`chunkfs: ${err.message.replace(/^error: /, '')}\n`);
      return EXIT_USAGE;
    }
    return reportFailure(err);
  }
  if (!outcome) return 0;
  try {
    return await outcome;
  } catch (err) {
    return reportFailure(err);
  }
}
