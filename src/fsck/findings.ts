import type { CheckSummary, Finding, FindingInput } from './types.js';

/** Findings kept in detail per check; the counts go on beyond (memory stays bounded). */
export const MAX_DETAIL = 1000;

/** Collects the findings of each check, logs every one as it comes, counts them. */
export class Findings {
  readonly summaries: CheckSummary[] = [];
  private current: CheckSummary | undefined;

  constructor(private readonly repair: boolean, private readonly log: (line: string) => void) {}

  private started = 0;

  begin(name: string, title: string): void {
    this.end();
    this.started = Date.now();
    this.current = { name, title, errors: 0, notes: 0, repaired: 0, findings: [], ms: 0 };
    this.summaries.push(this.current);
  }

  /** Closes the current check (its time); `begin` and `totals` call it. */
  end(): void {
    if (this.current && this.current.ms === 0) this.current.ms = Date.now() - this.started;
  }

  skip(reason: string): void {
    if (this.current) this.current.skipped = reason;
    this.log(`fsck: ${this.current?.name}: skipped: ${reason}`);
  }

  add(input: FindingInput): void {
    const sum = this.current;
    if (!sum) throw new Error('finding outside a check');
    const { path, severity = 'error', repairable = true, ...rest } = input;
    const f: Finding = { check: sum.name, severity, ...rest, repaired: this.repair && repairable, ...(path ? { path } : {}) };
    if (severity === 'error') sum.errors++;
    else sum.notes++;
    if (f.repaired) sum.repaired++;
    if (sum.findings.length < MAX_DETAIL) sum.findings.push(f);
    this.log(formatFinding(f));
  }

  totals(): { errors: number; notes: number; repaired: number } {
    this.end();
    let errors = 0;
    let notes = 0;
    let repaired = 0;
    for (const s of this.summaries) {
      errors += s.errors;
      notes += s.notes;
      repaired += s.repaired;
    }
    return { errors, notes, repaired };
  }
}

/** `fsck: dentries_inode: /a/b (inode 17): the entry names a missing inode; fixed: remove the entry` */
export function formatFinding(f: Finding): string {
  const where = [f.path, f.ino !== undefined ? `inode ${f.ino}` : '', f.objectId ? `object ${f.objectId}` : ''].filter(Boolean).join(', ');
  const verdict = f.severity === 'note' ? (f.repaired ? 'done' : 'action') : f.repaired ? 'fixed' : 'to fix';
  return `fsck: ${f.check}: ${where ? `${where}: ` : ''}${f.message}; ${verdict}: ${f.action}`;
}
