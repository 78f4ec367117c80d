import { join } from 'node:path';
import { LeaseHeld } from '../errors.js';
import { openChecker } from '../metadata/checks-sqlite.js';
import { acquireLease, describeHolder, readLease, type Lease } from '../metadata/lease.js';
import { uploadSnapshot } from '../metadata/snapshot.js';
import { openMetadata } from '../metadata/sqlite.js';
import { readSuperblock } from '../metadata/superblock.js';
import type { Superblock } from '../metadata/types.js';
import type { ObjectStore } from '../store/types.js';
import { Findings } from './findings.js';
import { isLive } from './live.js';
import { METADATA_CHECKS } from './metadata-checks.js';
import { recoverJournal } from './recovery.js';
import { openWorkingDb, type WorkingDb } from './source.js';
import { STORE_CHECKS } from './store-checks.js';
import { DEFAULT_GRACE_MS, FSCK_EXIT, type Check, type CheckContext, type FsckReport, type RepairMode } from './types.js';
import { checkObjectsData } from './verify-data.js';

export interface FsckOptions {
  store: ObjectStore;
  /** The local dir of the mount (`<localDir>/<uuid>/meta.db`). */
  localDir: string;
  /** Chunk cache and journal (default `<localDir>/<uuid>/cache`, as the mount). */
  cacheDir?: string;
  /** Repair, and how files that lost chunks are treated; false: change nothing anywhere. */
  repair?: false | RepairMode;
  /** Download every object and verify its checksum. */
  verifyData?: boolean;
  /** Repair even while a live writable mount holds the lease. */
  force?: boolean;
  /** Unreferenced objects younger than this are left alone (default 1 hour). */
  graceMs?: number;
  /** Log lines (every finding and repair); default stderr. */
  log?: (line: string) => void;
  now?: () => number;
}

/** Every check in its fixed order (after the journal recovery). */
export function checksInOrder(verifyData: boolean): Check[] {
  return [...METADATA_CHECKS, ...STORE_CHECKS, ...(verifyData ? [checkObjectsData] : [])];
}

/**
 * Checks (and with `repair`, repairs) the filesystem in `opts.store`: the local journal,
 * the metadata on its own, the metadata against the store, optionally every object's
 * bytes. Without `repair` nothing changes anywhere: the checks run on a copy of the
 * database (the repairs applied to the copy only, so later checks see what earlier repairs
 * would leave) and the store is only read. With `repair` fsck holds the lease while it
 * works and uploads a metadata snapshot at the end.
 */
export async function runFsck(opts: FsckOptions): Promise<FsckReport> {
  const started = Date.now();
  const log = opts.log ?? ((l: string) => void process.stderr.write(`${l}\n`));
  const now = opts.now ?? Date.now;
  const repair = opts.repair !== undefined && opts.repair !== false;
  const { store } = opts;
  const sb = await readSuperblock(store);
  const current = await readLease(store);
  const liveMount = isLive(current, now());
  let lease: Lease | undefined;
  if (repair && liveMount) {
    const who = describeHolder(current);
    if (!opts.force) throw new LeaseHeld(who, `filesystem is mounted writable by ${who}: unmount it before repairing (or use --force)`);
    // The mount keeps its lease: taking it over would leave the mount running without one.
    log(`fsck: warning: repairing while a writable mount (${who}) is live; the mount's next snapshot carries the repairs`);
  } else if (repair) lease = await acquireLease(store, { warn: (m) => log(`fsck: warning: ${m}`) });
  else if (liveMount) log(`fsck: note: a writable mount (${describeHolder(current)}) holds the filesystem; checking a copy of its database`);
  let work: WorkingDb | undefined;
  try {
    work = await openWorkingDb(store, sb, opts.localDir, repair);
    const findings = new Findings(repair, log);
    findings.begin('journal_recovery', 'dirty chunks of a crash are uploaded');
    if (liveMount) findings.skip('a live mount owns the journal');
    else if (work.source === 'local') {
      const cacheDir = opts.cacheDir ?? join(opts.localDir, sb.uuid, 'cache');
      const f = await recoverJournal({ store, superblock: sb, dbPath: work.dbPath, cacheDir, repair });
      if (f) findings.add(f);
    }
    await runChecks(findings, { ...opts, repair, repairMode: opts.repair === 'lost' ? 'lost' : 'zero', liveMount, now, log }, work.dbPath);
    const totals = findings.totals();
    // A live mount shares the database: its own snapshots (and their sequence) must stay its own.
    const shared = liveMount && work.source === 'local';
    const snapshot = repair && !shared ? await snapshotAfterRepair(work.dbPath, sb, store, totals.errors > 0) : undefined;
    const exitCode = totals.errors === 0 ? FSCK_EXIT.clean : repair ? FSCK_EXIT.corrected : FSCK_EXIT.uncorrected;
    return {
      store: store.description,
      source: work.source,
      dbPath: work.source === 'local' ? work.localPath : work.dbPath,
      repair,
      checks: findings.summaries,
      ...totals,
      ...(snapshot ? { snapshot } : {}),
      exitCode,
      durationMs: Date.now() - started,
    };
  } finally {
    await work?.cleanup();
    await lease?.release();
  }
}

async function runChecks(
  findings: Findings,
  o: Omit<FsckOptions, 'repair'> & { repair: boolean; repairMode: RepairMode; liveMount: boolean; now: () => number; log: (l: string) => void },
  dbPath: string,
): Promise<void> {
  const checker = openChecker(dbPath);
  try {
    const ctx: CheckContext = {
      checker,
      store: o.store,
      repair: o.repair,
      repairMode: o.repairMode,
      graceMs: o.graceMs ?? DEFAULT_GRACE_MS,
      now: o.now,
      liveMount: o.liveMount,
      found: (f) => findings.add(f),
      log: o.log,
      shared: new Map(),
    };
    for (const check of checksInOrder(o.verifyData ?? false)) {
      findings.begin(check.name, check.title);
      await check.run(ctx);
    }
  } finally {
    checker.close();
  }
}

/**
 * After repairs (`repaired`) or any change to the metadata: a snapshot of it, so the
 * newest snapshot and the store's objects are a whole filesystem again.
 */
async function snapshotAfterRepair(dbPath: string, sb: Superblock, store: ObjectStore, repaired: boolean): Promise<{ seq: number; key: string } | undefined> {
  const meta = openMetadata(dbPath, sb);
  try {
    if (!repaired && !meta.changedSinceSnapshot()) return undefined;
    const { seq, key } = await uploadSnapshot(meta, store);
    return { seq, key };
  } finally {
    meta.close();
  }
}

