import { openChecker } from '../metadata/checks-sqlite.js';
import { acquireLease, readLease } from '../metadata/lease.js';
import { readSuperblock } from '../metadata/superblock.js';
import type { ObjectStore } from '../store/types.js';
import { Findings } from './findings.js';
import { isLive } from './live.js';
import { openWorkingDb } from './source.js';
import { GC_CHECKS } from './store-checks.js';
import { DEFAULT_GRACE_MS, type CheckContext, type FindingInput } from './types.js';

export interface GcOptions {
  store: ObjectStore;
  localDir: string;
  /** Count only; delete nothing. */
  dryRun?: boolean;
  /** Unreferenced objects younger than this are left alone (default 1 hour). */
  graceMs?: number;
  log?: (line: string) => void;
  now?: () => number;
}

export interface GcReport {
  store: string;
  dryRun: boolean;
  orphans: { objects: number; bytes: number };
  due: { objects: number; bytes: number };
  /** Unreferenced objects left alone because they are younger than the grace period. */
  young: number;
}

/**
 * Garbage collection: deletes orphans (unreferenced objects older than the grace period)
 * and the deletions that are due, nothing else. It reads the same database fsck does and
 * writes only the pending-deletion bookkeeping of the local database (never with
 * `dryRun`). Running it while a writable mount is live is safe for the store (the grace
 * period protects uploads not yet committed) but the mount's own deletions are its own.
 */
export async function runGc(opts: GcOptions): Promise<GcReport> {
  const log = opts.log ?? (() => undefined);
  const now = opts.now ?? Date.now;
  const sb = await readSuperblock(opts.store);
  const lease = await readLease(opts.store);
  const liveMount = isLive(lease, now());
  // A live mount owns its database; gc then works on a copy (orphans still go, due deletions are the mount's).
  // Otherwise gc holds the lease while it changes the database, so no mount starts meanwhile.
  const inPlace = !opts.dryRun && !liveMount;
  const held = inPlace ? await acquireLease(opts.store, { warn: (m) => log(`gc: warning: ${m}`) }) : undefined;
  const work = await openWorkingDb(opts.store, sb, opts.localDir, inPlace).catch(async (err: unknown) => {
    await held?.release();
    throw err;
  });
  const report: GcReport = { store: opts.store.description, dryRun: !!opts.dryRun, orphans: { objects: 0, bytes: 0 }, due: { objects: 0, bytes: 0 }, young: 0 };
  const checker = openChecker(work.dbPath);
  try {
    const findings = new Findings(!opts.dryRun, log);
    const ctx: CheckContext = {
      checker,
      store: opts.store,
      repair: !opts.dryRun,
      repairMode: 'zero',
      graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
      now,
      liveMount,
      found: (f) => {
        findings.add(f);
        tally(report, findings.summaries[findings.summaries.length - 1]!.name, f);
      },
      log,
      shared: new Map(),
    };
    for (const check of GC_CHECKS) {
      findings.begin(check.name, check.title);
      if (check.name === 'pending_due' && liveMount) {
        findings.skip('a live mount carries out its own deletions');
        continue;
      }
      await check.run(ctx);
    }
    return report;
  } finally {
    checker.close();
    await work.cleanup();
    await held?.release();
  }
}

function tally(r: GcReport, check: string, f: FindingInput): void {
  const bytes = f.bytes ?? 0;
  if (check === 'pending_due') {
    r.due.objects++;
    r.due.bytes += bytes;
  } else if (f.severity === 'note') r.young++;
  else {
    r.orphans.objects++;
    r.orphans.bytes += bytes;
  }
}
