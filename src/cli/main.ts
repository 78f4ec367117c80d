/** Parses the command line and dispatches to one subcommand; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write('usage: chunkfs <command> [options]\n');
    return 0;
  }
  process.stderr.write(`chunkfs: unknown command: ${argv[0]}\n`);
  return 16;
}
