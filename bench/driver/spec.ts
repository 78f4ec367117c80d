/** What the driver process is asked to do: one timed step on a filesystem. */
export type DriverSpec =
  | { op: 'seqWrite'; path: string; size: number; block: number; fsync: boolean }
  | { op: 'seqRead'; path: string; block: number }
  | { op: 'random'; path: string; mode: 'read' | 'write'; seconds: number; block: number; flush: boolean }
  | { op: 'create'; dir: string; count: number; size: number }
  | { op: 'stat'; dir: string; count: number }
  | { op: 'read'; dir: string; count: number }
  | { op: 'delete'; dir: string; count: number }
  | { op: 'poke'; path: string; offset: number }
  | { op: 'rename'; from: string; to: string }
  | { op: 'append'; path: string; count: number; size: number }
  | { op: 'ls'; dir: string }
  | { op: 'fsync'; path: string };

/** What one step measured. Times are seconds; latencies are per operation in ms. */
export interface DriverResult {
  /** Epoch ms when the timed part began, to line up with the proxy's clock. */
  startedAtMs: number;
  /** From the first operation until the step returned (fsync or flush included). */
  seconds: number;
  /** Until the last application call before any final fsync/flush. */
  appSeconds: number;
  bytes: number;
  ops: number;
  p50Ms?: number;
  p99Ms?: number;
  /** CPU time (user and system) of the process that made the calls, over the step. */
  cpuSeconds?: number;
}

/** File names of the small-file workloads: spread over the name space like real ones. */
export const smallName = (i: number): string => `f${String(i).padStart(6, '0')}.dat`;
