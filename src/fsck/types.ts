import type { MetadataChecker } from '../metadata/checks.js';
import type { ObjectStore } from '../store/types.js';

/** How a repair treats a file that lost chunks: `zero` keeps it (the chunks read as zeros), `lost` moves it to /lost+found. */
export type RepairMode = 'zero' | 'lost';

/** The exit codes of e2fsck, which fsck follows. */
export const FSCK_EXIT = {
  clean: 0,
  corrected: 1,
  uncorrected: 4,
  operational: 8,
  usage: 16,
} as const;

/** The xattr a repair sets on a file whose chunks were lost (value: the chunk indexes). */
export const DAMAGED_XATTR = 'user.chunkfs.damaged';

/** Grace before an unreferenced object counts as an orphan: a live mount may be about to commit it. */
export const DEFAULT_GRACE_MS = 60 * 60 * 1000;

/**
 * `error`: damage (it makes the exit code 1 or 4). `note`: housekeeping that is no damage
 * (due deletions, orphan inodes left open at a crash, young unreferenced objects).
 */
export type Severity = 'error' | 'note';

/** One violation of an invariant, with its context and what the repair does (or did). */
export interface Finding {
  check: string;
  severity: Severity;
  message: string;
  /** What the repair does, as a verb phrase ("remove the entry"). */
  action: string;
  /** True when the repair was carried out (only under --repair). */
  repaired: boolean;
  ino?: number;
  path?: string;
  objectId?: string;
  /** Bytes of the object concerned (orphans, due deletions). */
  bytes?: number;
}

export type FindingInput = Omit<Finding, 'check' | 'repaired' | 'severity' | 'path'> & {
  severity?: Severity;
  path?: string | null;
  /** False when nothing is done about it even under --repair. */
  repairable?: boolean;
};

export interface CheckContext {
  checker: MetadataChecker;
  store: ObjectStore;
  /**
   * True under --repair. Metadata repairs always run, on the working copy when false (so
   * each check sees what the checks before it would leave); the store, the local journal
   * and the real database are touched only when true.
   */
  repair: boolean;
  repairMode: RepairMode;
  graceMs: number;
  now: () => number;
  /** True when a live writable mount holds the lease. */
  liveMount: boolean;
  /** Records a finding (and logs it). */
  found(f: FindingInput): void;
  /** A line on the log (stderr). */
  log(line: string): void;
  /** State shared by the store checks (the scan runs once for three checks). */
  shared: Map<string, unknown>;
}

/** A named check: one invariant, its query, its repair. */
export interface Check {
  name: string;
  /** What it checks, for the summary table. */
  title: string;
  run(ctx: CheckContext): Promise<void> | void;
}

export interface CheckSummary {
  name: string;
  title: string;
  errors: number;
  notes: number;
  repaired: number;
  /** Findings in detail, the first `MAX_DETAIL` of them. */
  findings: Finding[];
  skipped?: string;
  /** Time the check took. */
  ms: number;
}

export interface FsckReport {
  store: string;
  /** Where the metadata came from. */
  source: 'local' | 'snapshot';
  dbPath: string;
  repair: boolean;
  checks: CheckSummary[];
  errors: number;
  repaired: number;
  notes: number;
  /** Snapshot uploaded after the repairs. */
  snapshot?: { seq: number; key: string };
  exitCode: number;
  durationMs: number;
}
