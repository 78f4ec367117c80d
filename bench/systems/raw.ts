import { fileURLToPath } from 'node:url';
import type { Proxy } from '../proxy.js';
import { exec } from '../procs.js';
import type { RawSpec } from '../raw/main.js';
import type { BenchSystem, RawStore } from './types.js';

const RAW_MAIN = fileURLToPath(new URL('../raw/main.js', import.meta.url));

/**
 * The store itself, no filesystem: the SDK's PUTs and GETs of chunk-sized objects with the
 * parallelism chunkfs is given, through the same proxy. Its figures are the ceiling that
 * chunkfs's sequential figures are compared with.
 */
export class RawSystem implements BenchSystem, RawStore {
  readonly name = 'raw-store';
  readonly root = '';
  private size = 0;

  constructor(
    readonly proxy: Proxy,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly credentials: { accessKeyId: string; secretAccessKey: string },
    private readonly chunk: number,
    private readonly parallel: number,
  ) {}

  get description(): string {
    return `AWS SDK PUT/GET of ${this.chunk / 2 ** 20} MiB objects, ${this.parallel} in parallel, through the proxy`;
  }

  get raw(): RawStore {
    return this;
  }

  unsupported(workload: string): string | null {
    return workload === 'seq' ? null : 'the raw store is a baseline for sequential throughput only';
  }

  private async child(mode: 'put' | 'get', size: number): Promise<{ seconds: number; bytes: number }> {
    const spec: RawSpec = { endpoint: this.proxy.endpoint, bucket: this.bucket, prefix: this.prefix, ...this.credentials, mode, size, chunk: this.chunk, parallel: this.parallel };
    const r = await exec(process.execPath, [RAW_MAIN, JSON.stringify(spec)], { timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`raw ${mode} failed: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as { seconds: number; bytes: number };
  }

  async putAll(size: number): Promise<{ seconds: number }> {
    this.size = size;
    return this.child('put', size);
  }

  async getAll(): Promise<{ seconds: number; bytes: number }> {
    return this.child('get', this.size);
  }

  async start(): Promise<void> {}
  async remountCold(): Promise<void> {}
  daemonPeakRss(): number | null {
    return null;
  }
  async stop(): Promise<void> {}
}
