import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, forceUnmount, isMounted, sleep, until } from '../procs.js';
import type { BenchSystem } from './types.js';

const NOOP_FS = fileURLToPath(new URL('../noop-fs.js', import.meta.url));

/**
 * A fuse-native filesystem that stores nothing (bench/noop-fs.ts): the binding's ceiling
 * for sequential reads and writes, measured in the same run as `chunkfs-file`, whose
 * targets are shares of it. Only the sequential workload means anything here.
 */
export class NoopSystem implements BenchSystem {
  readonly name = 'fuse-noop';
  readonly description = 'a fuse-native filesystem that keeps no data (big_writes, max_write=131072): the ceiling of the FUSE binding';
  readonly proxy = null;
  readonly root: string;
  private child: ChildProcess | null = null;

  constructor(scratch: string) {
    this.root = join(scratch, 'noop.mnt');
  }

  unsupported(workload: string): string | null {
    return workload === 'seq' ? null : 'keeps no data: only the sequential workload measures it';
  }

  async start(): Promise<void> {
    mkdirSync(this.root, { recursive: true });
    const child = spawn(process.execPath, [NOOP_FS, this.root], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const up = await until(() => isMounted(this.root) || child.exitCode !== null, 10_000);
    if (!up || !isMounted(this.root)) {
      await this.stop();
      throw new Error(`the no-op filesystem did not mount: ${output.trim() || 'no output'}`);
    }
  }

  /** Nothing is cached: there is nothing to drop. */
  async remountCold(): Promise<void> {}

  daemonPid(): number | null {
    return this.child?.pid ?? null;
  }

  daemonPeakRss(): number | null {
    return null;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child?.pid !== undefined && alive(child.pid)) {
      child.kill('SIGTERM');
      if (!(await until(() => !alive(child.pid!), 10_000))) {
        child.kill('SIGKILL');
        await sleep(100);
      }
    }
    await forceUnmount(this.root);
  }
}
