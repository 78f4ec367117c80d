import { append } from './append.js';
import { ls } from './ls.js';
import { poke } from './poke.js';
import { random } from './random.js';
import { rename } from './rename.js';
import { seq } from './seq.js';
import { smallfiles } from './smallfiles.js';
import type { Workload } from './types.js';

/** Every workload, in the order a run takes them (seq writes the large file the next ones reuse). */
export const WORKLOADS: readonly Workload[] = [seq, random, poke, smallfiles, ls, rename, append];

export const workloadNames = (): string[] => WORKLOADS.map((w) => w.name);
