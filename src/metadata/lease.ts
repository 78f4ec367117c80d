import { isProcessAlive } from '../proc.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { LeaseHeld, ObjectNotFound } from '../errors.js';
import type { ObjectStore } from '../store/types.js';
import { LEASE_KEY } from './layout.js';

/**
 * The lease of the one writable mount (DESIGN invariant 8): the JSON object `meta/lock`,
 * rewritten with a later expiry every ttl/3 while mounted.
 *
 * The store has no conditional PUT (S3-compatible servers and this code's ObjectStore do
 * not offer one), so two mounts starting in the same instant could both write the lease.
 * Reading it back after writing narrows that window to the store's write-to-read delay:
 * the later writer wins and the earlier one sees the other's lease and fails.
 */

export interface LeaseInfo {
  host: string;
  pid: number;
  /** Random id of this mount (not of the filesystem). */
  uuid: string;
  /** When this mount took the lease. */
  sinceMs: number;
  expiresMs: number;
}

export interface Lease {
  /** This mount's lease as last written. */
  readonly holder: LeaseInfo;
  /** True once another mount took the lease over (or renewal failed past expiry). */
  readonly lost: boolean;
  /** Writes a fresh expiry now (the loop does it every ttl/3). */
  renew(): Promise<void>;
  /** Stops renewing and deletes the lease if it is still this mount's. */
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** Lease lifetime without renewal (default 60 s). */
  ttlMs?: number;
  /** Take over a live lease held by another mount. */
  force?: boolean;
  /** Warnings (a taken-over lease); default console.warn. */
  warn?: (message: string) => void;
  /** Called once when the lease is lost (taken over by another mount, or expired unrenewed). */
  onLost?: (err: Error) => void;
  /** Delay between writing the lease and reading it back (default 0). */
  settleMs?: number;
}

export const DEFAULT_LEASE_TTL_MS = 60_000;

/** `host pid N since <ISO time>`: how errors and status name a holder. */
export function describeHolder(l: LeaseInfo): string {
  return `${l.host} pid ${l.pid} since ${new Date(l.sinceMs).toISOString()}`;
}

/** The lease in the store, or null when there is none. A malformed lease reads as null. */
export async function readLease(store: ObjectStore): Promise<LeaseInfo | null> {
  let body: Buffer;
  try {
    body = await store.get(LEASE_KEY);
  } catch (err) {
    if (err instanceof ObjectNotFound) return null;
    throw err;
  }
  try {
    const o = JSON.parse(body.toString('utf8')) as Partial<LeaseInfo>;
    const ok = typeof o.host === 'string' && typeof o.uuid === 'string' && Number.isSafeInteger(o.pid)
      && Number.isFinite(o.expiresMs) && Number.isFinite(o.sinceMs);
    return ok ? (o as LeaseInfo) : null;
  } catch {
    return null;
  }
}

/** True when the holder is a process of this host that no longer runs. */
function isDeadHere(l: LeaseInfo): boolean {
  return l.host === hostname() && !isProcessAlive(l.pid);
}

/**
 * Takes the filesystem's lease. Fails with LeaseHeld (naming `host pid N since ...`) when
 * another mount holds a live one, unless `force`. An expired lease, or one of a dead
 * process on this host, is taken over with a warning.
 */
export async function acquireLease(store: ObjectStore, opts: LeaseOptions = {}): Promise<Lease> {
  const ttlMs = opts.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  const current = await readLease(store);
  const now = Date.now();
  if (current) {
    const who = describeHolder(current);
    if (current.expiresMs <= now) warn(`taking over the expired lease of ${who}`);
    else if (isDeadHere(current)) warn(`taking over the lease of ${who}, which no longer runs`);
    else if (opts.force) warn(`forcibly taking over the live lease of ${who}`);
    else throw new LeaseHeld(who, `filesystem is mounted writable by ${who} (lease expires ${new Date(current.expiresMs).toISOString()}; use --force to take it over)`);
  }
  const mine: LeaseInfo = { host: hostname(), pid: process.pid, uuid: randomUUID(), sinceMs: now, expiresMs: now + ttlMs };
  await store.put(LEASE_KEY, encode(mine));
  if (opts.settleMs) await sleep(opts.settleMs);
  const check = await readLease(store);
  if (check?.uuid !== mine.uuid) {
    const who = check ? describeHolder(check) : 'another mount';
    throw new LeaseHeld(who, `lost the race for the lease to ${who}`);
  }
  return new RenewedLease(store, mine, ttlMs, opts.onLost);
}

const encode = (l: LeaseInfo) => Buffer.from(JSON.stringify(l) + '\n');

class RenewedLease implements Lease {
  lost = false;
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();
  private released = false;

  constructor(private readonly store: ObjectStore, public holder: LeaseInfo, private readonly ttlMs: number, private readonly onLost?: (err: Error) => void) {
    this.timer = setInterval(() => void this.renew().catch(() => undefined), Math.max(1, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  renew(): Promise<void> {
    if (this.released || this.lost) return this.inFlight;
    this.inFlight = this.inFlight.then(() => this.renewOnce());
    return this.inFlight;
  }

  private async renewOnce(): Promise<void> {
    if (this.released || this.lost) return;
    try {
      const current = await readLease(this.store);
      if (current && current.uuid !== this.holder.uuid) {
        return this.lose(new LeaseHeld(describeHolder(current), `lease taken over by ${describeHolder(current)}`));
      }
      const next = { ...this.holder, expiresMs: Date.now() + this.ttlMs };
      await this.store.put(LEASE_KEY, encode(next));
      this.holder = next;
    } catch (err) {
      // A store hiccup: the next period retries, unless the lease ran out meanwhile.
      if (Date.now() >= this.holder.expiresMs) this.lose(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private lose(err: Error): void {
    this.lost = true;
    clearInterval(this.timer);
    this.onLost?.(err);
  }

  async release(): Promise<void> {
    this.released = true;
    clearInterval(this.timer);
    await this.inFlight;
    if (this.lost) return;
    const current = await readLease(this.store);
    if (current?.uuid === this.holder.uuid) await this.store.delete(LEASE_KEY);
  }
}
