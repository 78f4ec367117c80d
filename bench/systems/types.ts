import type { Proxy } from '../proxy.js';

/** Puts and gets of whole objects straight through the SDK: the store's own ceiling. */
export interface RawStore {
  /** Writes `size` bytes as objects of one chunk each, `parallel` at a time. */
  putAll(size: number): Promise<{ seconds: number; cpuSeconds?: number }>;
  /** Reads back what `putAll` wrote, `parallel` at a time. */
  getAll(): Promise<{ seconds: number; bytes: number; cpuSeconds?: number }>;
}

/** One filesystem (or store) that the workloads are run on. */
export interface BenchSystem {
  readonly name: string;
  /** One line for the report: what it is and how it was set up. */
  readonly description: string;
  /** The directory the workloads work in (a mount point or a plain directory). */
  readonly root: string;
  /** The proxy on its data path, or null when it has none (file store, local disk). */
  readonly proxy: Proxy | null;
  /** Present on the raw store only: it runs the sequential workload and the small-object PUTs, GETs and DELETEs. */
  readonly raw?: RawStore;
  /** Why a workload cannot run here, or null when it can. */
  unsupported(workload: string): string | null;
  /** Formats and mounts (or creates the directory). */
  start(): Promise<void>;
  /** Unmounts and mounts again with empty caches, so the next reads come from the store. */
  remountCold(): Promise<void>;
  /** Peak resident set (VmHWM) of the daemon serving the mount, or null. */
  daemonPeakRss(): number | null;
  /** The process serving the mount, whose CPU time is counted per phase; null when none. */
  daemonPid(): number | null;
  /** Unmounts and stops everything it started. Safe to call twice and after a failed start. */
  stop(): Promise<void>;
}
