import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Proxy } from '../proxy.js';
import { alive, exec, forceUnmount, isMounted, peakRss, pidsMentioning, sleep, until } from '../procs.js';
import type { BenchSystem } from './types.js';

/** The chunkfs executable of this build (dist/bin/chunkfs.js). */
export const CHUNKFS_BIN = fileURLToPath(new URL('../../bin/chunkfs.js', import.meta.url));

export interface ChunkfsSystemOptions {
  name: string;
  description: string;
  /** file:///dir or s3://bucket. */
  store: string;
  scratch: string;
  /** For an S3 store: the proxy chunkfs talks to, and a password file for it. */
  proxy: Proxy | null;
  passwdFile?: string;
  writeback: boolean;
  uploadConcurrency: number;
}

/**
 * The environment of every chunkfs command the harness runs: local state (metadata,
 * runtime records) under the scratch directory, never the user's own.
 */
function chunkfsEnv(scratch: string): NodeJS.ProcessEnv {
  return { ...process.env, XDG_DATA_HOME: join(scratch, 'xdg'), CHUNKFS_RUNTIME_DIR: join(scratch, 'run') };
}

/** chunkfs mounted through its own command line, exactly as a user would. */
export class ChunkfsSystem implements BenchSystem {
  readonly root: string;
  private readonly cacheDir: string;
  private pid: number | null = null;

  constructor(private readonly o: ChunkfsSystemOptions) {
    this.root = join(o.scratch, `${o.name}.mnt`);
    this.cacheDir = join(o.scratch, `${o.name}.cache`);
  }

  get name(): string {
    return this.o.name;
  }
  get description(): string {
    return this.o.description;
  }
  get proxy(): Proxy | null {
    return this.o.proxy;
  }

  unsupported(): string | null {
    return null;
  }

  /** Store options as `-o` items (endpoint through the proxy, path style, credentials). */
  private storeOptions(): string[] {
    if (!this.o.proxy) return [];
    return [`endpoint=${this.o.proxy.endpoint}`, 'path_style', `passwd_file=${this.o.passwdFile}`];
  }

  async start(): Promise<void> {
    mkdirSync(this.root, { recursive: true });
    const opts = this.storeOptions();
    const fmt = await exec(process.execPath, [CHUNKFS_BIN, 'format', this.o.store, ...(opts.length ? ['-o', opts.join(',')] : [])], { timeoutMs: 60_000, env: chunkfsEnv(this.o.scratch) });
    if (fmt.code !== 0) throw new Error(`chunkfs format ${this.o.store} failed: ${(fmt.stderr || fmt.stdout).trim()}`);
    await this.mount();
  }

  private async mount(): Promise<void> {
    mkdirSync(this.cacheDir, { recursive: true });
    const opts = [...this.storeOptions(), `cache_dir=${this.cacheDir}`, `upload_concurrency=${this.o.uploadConcurrency}`];
    if (this.o.writeback) opts.push('writeback');
    const r = await exec(process.execPath, [CHUNKFS_BIN, 'mount', this.o.store, this.root, '-o', opts.join(',')], { timeoutMs: 60_000, env: chunkfsEnv(this.o.scratch) });
    if (r.code !== 0 || !isMounted(this.root)) {
      throw new Error(`chunkfs mount ${this.o.store} ${this.root} failed: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
    }
    this.pid = this.findDaemon();
  }

  /** The daemon is the process whose command line names our mount point (the driver's never does as a plain argument). */
  private findDaemon(): number | null {
    const pids = pidsMentioning(`\0${this.root}`).filter((p) => p !== process.pid);
    return pids[0] ?? null;
  }

  private async unmount(): Promise<void> {
    if (isMounted(this.root)) {
      const r = await exec(process.execPath, [CHUNKFS_BIN, 'umount', this.root], { timeoutMs: 300_000, env: chunkfsEnv(this.o.scratch) });
      if (r.code !== 0) process.stderr.write(`chunkfs umount ${this.root}: ${(r.stderr || r.stdout).trim()}\n`);
      await forceUnmount(this.root);
    }
    await this.stopDaemon();
  }

  /** A daemon still alive after its mount is gone is ours to end: politely, then not. */
  private async stopDaemon(): Promise<void> {
    const pid = this.pid;
    this.pid = null;
    if (pid === null || (await until(() => !alive(pid), 10_000))) return;
    process.kill(pid, 'SIGTERM');
    if (await until(() => !alive(pid), 5_000)) return;
    process.kill(pid, 'SIGKILL');
    await sleep(100);
  }

  async remountCold(): Promise<void> {
    await this.unmount();
    rmSync(this.cacheDir, { recursive: true, force: true });
    await this.mount();
  }

  /** The peak of the current daemon; a remount starts a new process, so it is the phase's own. */
  daemonPid(): number | null {
    return this.pid;
  }

  daemonPeakRss(): number | null {
    if (this.pid === null) return null;
    return peakRss(this.pid);
  }

  async stop(): Promise<void> {
    await this.unmount();
    rmSync(this.cacheDir, { recursive: true, force: true });
  }
}
