import type { Sizes } from './types.js';
import { GiB, MiB } from './units.js';

/** The default sizes: the ones the figures in the README are given for. */
export const FULL: Sizes = {
  bigFile: GiB,
  randomFile: 256 * MiB,
  randomSeconds: 10,
  smallFiles: 10_000,
  smallFileSize: 4096,
  lsEntries: 10_000,
  appendCount: 16,
  appendSize: MiB,
  ioBlock: MiB,
};

/** `--quick`: the same workloads, small enough that a whole run takes well under two minutes. */
export const QUICK: Sizes = {
  bigFile: 32 * MiB,
  randomFile: 16 * MiB,
  randomSeconds: 1.5,
  smallFiles: 200,
  smallFileSize: 4096,
  lsEntries: 200,
  appendCount: 16,
  appendSize: MiB,
  ioBlock: MiB,
};
