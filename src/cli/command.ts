import type { Command } from 'commander';

/**
 * One subcommand: it adds itself to the program and hands the exit code of its run to
 * `done`. main.ts lists these in its dispatch table; a new subcommand is one more entry.
 */
export interface CliCommand {
  name: string;
  register(program: Command, done: (code: Promise<number>) => void): void;
}
