import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Proxy } from '../proxy.js';
import { alive, exec, forceUnmount, isMounted, peakRss, pidsMentioning, sleep, until } from '../procs.js';
import type { BenchSystem } from './types.js';

/**
 * s3fs-fuse on its own bucket of the same server, through the same proxy: the peer a user
 * would otherwise pick. It has no disk cache here (no use_cache), so a remount is cold.
 */
export class S3fsSystem implements BenchSystem {
  readonly name = 's3fs';
  readonly description = 's3fs-fuse through the proxy, no use_cache, nocopyapi and nomixupload (the store has no UploadPartCopy)';
  readonly root: string;
  private pid: number | null = null;

  constructor(
    scratch: string,
    readonly proxy: Proxy,
    private readonly bucket: string,
    private readonly passwdFile: string,
  ) {
    this.root = join(scratch, 's3fs.mnt');
  }

  unsupported(): string | null {
    return null;
  }

  async start(): Promise<void> {
    mkdirSync(this.root, { recursive: true });
    await this.mount();
  }

  private async mount(): Promise<void> {
    const opts = [
      `url=${this.proxy.endpoint}`,
      'use_path_request_style',
      `passwd_file=${this.passwdFile}`,
      'endpoint=us-east-1',
      'big_writes',
      'max_write=131072',
      // s3rver has no UploadPartCopy: without these, a partial rewrite or a rename of a
      // large file fails with EIO instead of downloading and uploading it again.
      'nocopyapi',
      'nomixupload',
    ];
    const r = await exec('s3fs', [this.bucket, this.root, '-o', opts.join(',')], { timeoutMs: 30_000 });
    if (r.code !== 0 || !(await until(() => isMounted(this.root), 10_000))) {
      throw new Error(`s3fs mount failed: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
    }
    this.pid = pidsMentioning(`\0${this.root}`)[0] ?? null;
  }

  private async unmount(): Promise<void> {
    await forceUnmount(this.root);
    const pid = this.pid;
    this.pid = null;
    if (pid === null || (await until(() => !alive(pid), 30_000))) return;
    process.kill(pid, 'SIGKILL');
    await sleep(100);
  }

  async remountCold(): Promise<void> {
    await this.unmount();
    await this.mount();
  }

  daemonPid(): number | null {
    return this.pid;
  }

  daemonPeakRss(): number | null {
    return this.pid === null ? null : peakRss(this.pid);
  }

  async stop(): Promise<void> {
    await this.unmount();
  }
}
