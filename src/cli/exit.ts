import { ChunkfsError, UsageError, isUserFacing } from '../errors.js';

/**
 * Exit codes of every subcommand:
 * 0 success; 1 failure (store, lease, FUSE, mount, I/O); 2 usage error (unknown option or
 * command, missing or malformed argument).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The one line a failure prints, and its exit code. Stacks only with CHUNKFS_DEBUG=1. */
export function describeFailure(err: unknown): { line: string; code: number } {
  const code = err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  if (isUserFacing(err)) return { line: `chunkfs: ${oneLine(err.message)}`, code };
  const msg = err instanceof Error ? err.message : String(err);
  const prefix = err instanceof ChunkfsError ? '' : 'internal error: ';
  return { line: `chunkfs: ${prefix}${oneLine(msg)}`, code };
}

export function reportFailure(err: unknown): number {
  const { line, code } = describeFailure(err);
  process.stderr.write(`${line}\n`);
  if (process.env.CHUNKFS_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return code;
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, '; ').trim();
