/** The shapes shared by the harness: what a run measures and how it is reported. */

/** Bytes and requests seen at the proxy between a filesystem and its store. */
export interface NetCounts {
  bytesUp: number;
  bytesDown: number;
  requests: number;
  /** Requests per HTTP method (PUT, GET, HEAD, POST, DELETE). */
  byMethod: Record<string, number>;
}

/** One measured step of a workload (a workload has one or more). */
/**
 * CPU seconds (user and system) per process over one phase: `app` made the calls (the
 * driver, or the raw store's SDK client), `daemon` served the mount, `store` is s3rver,
 * `harness` is the bench process, which hosts the proxy. Null: no such process.
 */
export interface PhaseCpu {
  app: number | null;
  daemon: number | null;
  store: number | null;
  harness: number;
}

export interface PhaseResult {
  /** e.g. "write", "read cold", "create". */
  phase: string;
  /** The figure the phase is judged by. */
  value: number | null;
  unit: 'MB/s' | 'ops/s' | 's' | 'ms';
  /** Higher is better (rates) or lower is better (times). */
  better: 'higher' | 'lower';
  /** Bytes the application read or wrote in the phase. */
  bytes?: number;
  /** Operations the application made in the phase. */
  ops?: number;
  seconds?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** At the proxy; null when the system has no network path (file store, local disk). */
  net?: NetCounts | null;
  /** Bytes uploaded / bytes written by the application. */
  writeAmplification?: number | null;
  /** Peak resident set of the filesystem daemon (VmHWM) at the end of the phase. */
  daemonPeakRssBytes?: number | null;
  /** CPU seconds each process used in the phase (its background uploads included). */
  cpu?: PhaseCpu;
  note?: string;
}

export interface WorkloadResult {
  workload: string;
  system: string;
  phases: PhaseResult[];
  /** Why the workload did not run on this system (not applicable, tool missing). */
  skipped?: string;
  /** The failure, when it failed. */
  error?: string;
  seconds: number;
}

/** The sizes a run uses; `--quick` scales them down. */
export interface Sizes {
  bigFile: number;
  randomFile: number;
  randomSeconds: number;
  smallFiles: number;
  smallFileSize: number;
  lsEntries: number;
  appendCount: number;
  appendSize: number;
  /** Bytes per write() or read() of the sequential workloads. */
  ioBlock: number;
}

export interface RunResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  sizes: Sizes;
  network: { latencyMs: number; bandwidthBytesPerSec: number | null };
  /** loadAvg: the 1-minute load average at the start and at the end (other work on the machine skews every figure). */
  host: { cpus: number; memoryBytes: number; node: string; kernel: string; loadAvg: { start: number; end: number } };
  /** The temporary directory the run worked in; removed at the end. */
  scratchDir: string;
  systems: { name: string; description: string; skipped?: string }[];
  workloads: string[];
  results: WorkloadResult[];
  notes: string[];
}
