import { fileURLToPath } from 'node:url';
import type { Proxy } from '../proxy.js';
import { exec } from '../procs.js';
import type { RawMode, RawResult, RawSpec } from '../raw/main.js';
import type { BenchSystem, RawStore } from './types.js';

const RAW_MAIN = fileURLToPath(new URL('../raw/main.js', import.meta.url));

/** The workloads the raw store has a version of; every other one is not applicable to it. */
const RAW_WORKLOADS = ['seq', 'smallfiles'];

/** One object per small file, put, got back or deleted: the store's ceiling for small files. */
export interface RawSmallObjects {
  /**
   * Puts objects 0..count-1 of `size` bytes each, gets them back whole, or deletes them,
   * `parallel` requests at a time. Each request returns once the store has answered, so a
   * put is durable when it returns.
   */
  smallObjects(mode: RawMode, count: number, size: number): Promise<RawResult>;
}

/** Whether this raw store can also run the small-object phases. */
export function hasSmallObjects(raw: RawStore): raw is RawStore & RawSmallObjects {
  return typeof (raw as Partial<RawSmallObjects>).smallObjects === 'function';
}

/**
 * The store itself, no filesystem: the SDK's PUTs and GETs of chunk-sized objects with the
 * parallelism chunkfs is given, through the same proxy, and one PUT, GET and DELETE per
 * small file. Its figures are the ceiling that chunkfs's sequential and small-file
 * figures are compared with.
 */
export class RawSystem implements BenchSystem, RawStore, RawSmallObjects {
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
    return (
      `AWS SDK PUT/GET of ${this.chunk / 2 ** 20} MiB objects, ${this.parallel} in parallel, through the proxy; ` +
      `for the small files, one PUT, GET and DELETE per file, ${this.parallel} in parallel`
    );
  }

  get raw(): RawStore {
    return this;
  }

  unsupported(workload: string): string | null {
    return RAW_WORKLOADS.includes(workload) ? null : 'the raw store is a baseline for sequential throughput and small-object PUTs only';
  }

  private async child(set: RawSpec['set'], mode: RawMode, size: number, chunk: number): Promise<RawResult> {
    const spec: RawSpec = { endpoint: this.proxy.endpoint, bucket: this.bucket, prefix: this.prefix, set, ...this.credentials, mode, size, chunk, parallel: this.parallel };
    const r = await exec(process.execPath, [RAW_MAIN, JSON.stringify(spec)], { timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`raw ${mode} failed: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as RawResult;
  }

  async putAll(size: number): Promise<RawResult> {
    this.size = size;
    return this.child('raw', 'put', size, this.chunk);
  }

  async getAll(): Promise<RawResult> {
    return this.child('raw', 'get', this.size, this.chunk);
  }

  async smallObjects(mode: RawMode, count: number, size: number): Promise<RawResult> {
    return this.child('small', mode, count * size, size);
  }

  async start(): Promise<void> {}
  async remountCold(): Promise<void> {}
  daemonPeakRss(): number | null {
    return null;
  }

  daemonPid(): number | null {
    return null;
  }
  async stop(): Promise<void> {}
}
