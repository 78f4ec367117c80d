import type { BenchSystem } from '../systems/types.js';
import type { PhaseResult, Sizes } from '../types.js';

export interface WorkloadContext {
  system: BenchSystem;
  sizes: Sizes;
  /** The store's server process (the private s3rver), for its CPU time; null for a given store. */
  storePid: number | null;
  /** Longest a single timed step may take before it is stopped. */
  stepTimeoutMs: number;
  /** fio's path when it is installed (random I/O then uses it), else null. */
  fio: string | null;
  /** Files that workloads on one system share, by role (the large file), so each is written once. */
  fixtures: Map<string, { path: string; size: number }>;
  progress(message: string): void;
}

export interface Workload {
  /** Short name, as `--workloads` takes it. */
  name: string;
  /** What it does, for the report. */
  title: string;
  run(ctx: WorkloadContext): Promise<PhaseResult[]>;
}
