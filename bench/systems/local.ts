import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../procs.js';
import type { BenchSystem } from './types.js';

/**
 * A plain directory on the local disk, no FUSE: the reference for what the workloads cost
 * without any filesystem of ours in the way. "Cold" drops the kernel's page cache when
 * this process may (root); otherwise cold reads are warm and the note says so.
 */
export class LocalSystem implements BenchSystem {
  readonly name = 'local-disk';
  readonly proxy = null;
  readonly root: string;
  canDropCaches = true;

  constructor(scratch: string) {
    this.root = join(scratch, 'local');
  }

  get description(): string {
    return `a plain directory on the local disk (no FUSE)${this.canDropCaches ? '' : '; cold reads could not drop the page cache'}`;
  }

  unsupported(): string | null {
    return null;
  }

  async start(): Promise<void> {
    mkdirSync(this.root, { recursive: true });
  }

  async remountCold(): Promise<void> {
    await exec('sync', []);
    try {
      writeFileSync('/proc/sys/vm/drop_caches', '1');
    } catch {
      this.canDropCaches = false;
    }
  }

  daemonPid(): number | null {
    return null;
  }

  daemonPeakRss(): number | null {
    return null;
  }

  async stop(): Promise<void> {}
}
