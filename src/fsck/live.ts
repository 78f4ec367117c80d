import { isProcessAlive } from '../proc.js';
import { hostname } from 'node:os';
import type { LeaseInfo } from '../metadata/lease.js';

/**
 * True when the lease belongs to a writable mount that is still running: not expired, and
 * not the lease of a process of this host that no longer runs (a crashed mount).
 */
export function isLive(lease: LeaseInfo | null, nowMs: number): lease is LeaseInfo {
  if (lease === null || lease.expiresMs <= nowMs) return false;
  if (lease.host !== hostname()) return true;
  return isProcessAlive(lease.pid);
}
