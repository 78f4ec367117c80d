/**
 * fsck at scale: builds clean filesystems of N files with one tiny object each (through the
 * metadata API, and a file store filled directly in its on-disk layout), then runs fsck on
 * each in a child process and records time and peak RSS. Memory must stay flat as N grows:
 * every whole-filesystem pass streams in pages.
 *
 *   node dist/bench/fsck-scale.js [N ...]        (default 25000 100000)
 *
 * Writes bench/results/fsck-scale.json and .md.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initChecksum, xxh64Hex } from '../src/chunker/checksum.js';
import { runFsck } from '../src/fsck/fsck.js';
import { objectKey } from '../src/metadata/layout.js';
import { openMetadata } from '../src/metadata/sqlite.js';
import { createFilesystemDb, formatStore } from '../src/metadata/superblock.js';
import { ROOT_INO } from '../src/metadata/types.js';
import { keyPath } from '../src/store/file-keys.js';
import { FileStore } from '../src/store/file.js';

const FILES_PER_DIR = 1000;
const OBJECT_BYTES = 64;
/** V8 heap limit of the fsck process. */
const HEAP_CAP_MIB = 64;
const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, '..', '..', 'bench', 'results');

interface Row {
  files: number;
  objects: number;
  buildMs: number;
  mode: 'check' | 'verify-data';
  fsckMs: number;
  peakRssMiB: number;
  errors: number;
  /** ms per check. */
  checks: Record<string, number>;
}

/** A clean filesystem of `n` files in directories of 1000, each file one chunk of one tiny object. */
async function build(dir: string, n: number): Promise<void> {
  await initChecksum();
  const storeDir = join(dir, 'store');
  const sb = await formatStore(new FileStore(storeDir), { chunkSize: 1024 * 1024 });
  const stateDir = join(dir, 'local', sb.uuid);
  mkdirSync(stateDir, { recursive: true });
  const dbPath = join(stateDir, 'meta.db');
  createFilesystemDb(dbPath, sb);
  const meta = openMetadata(dbPath, sb, { synchronous: 'normal' });
  const made = new Set<string>();
  try {
    let parent = ROOT_INO;
    for (let i = 0; i < n; i++) {
      if (i % FILES_PER_DIR === 0) {
        parent = meta.mknod(ROOT_INO, Buffer.from(`d${i / FILES_PER_DIR}`), { kind: 'dir', perm: 0o755, uid: 0, gid: 0, nowMs: Date.now() }).ino;
      }
      const ino = meta.mknod(parent, Buffer.from(`f${i}`), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: Date.now() }).ino;
      const data = randomBytes(OBJECT_BYTES);
      const id = randomBytes(8).toString('hex');
      // The store's own layout, without a put's two fsyncs per object: this builds a fixture.
      const path = keyPath(storeDir, objectKey(id));
      if (!made.has(dirname(path))) {
        mkdirSync(dirname(path), { recursive: true });
        made.add(dirname(path));
      }
      writeFileSync(path, data);
      meta.commitChunks(ino, [{ idx: 0, objectId: id, len: data.length, xxh64: xxh64Hex(data) }], data.length);
    }
  } finally {
    meta.close();
  }
}

/** In the child: one fsck, then its time and the process's peak RSS. */
async function child(dir: string, verifyData: boolean): Promise<void> {
  const started = Date.now();
  const r = await runFsck({ store: new FileStore(join(dir, 'store')), localDir: join(dir, 'local'), verifyData, log: () => undefined });
  const fsckMs = Date.now() - started;
  const checks = Object.fromEntries(r.checks.map((c) => [c.name, c.ms]));
  process.stdout.write(JSON.stringify({ fsckMs, maxRssKiB: process.resourceUsage().maxRSS, errors: r.errors, checks }) + '\n');
}

interface ChildResult {
  fsckMs: number;
  maxRssKiB: number;
  errors: number;
  /** ms per check. */
  checks: Record<string, number>;
}

function runChild(dir: string, verifyData: boolean): ChildResult {
  // A capped V8 heap: a pass that held per-object state would fail at the larger size.
  const args = [`--max-old-space-size=${HEAP_CAP_MIB}`, fileURLToPath(import.meta.url), '--child', dir, verifyData ? 'verify' : 'check'];
  const res = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`fsck child failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as ChildResult;
}

const slowest = (checks: Record<string, number>): string =>
  Object.entries(checks).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');

function markdown(rows: Row[], machine: string): string {
  const lines = [
    '# fsck at scale',
    '',
    `Clean filesystems of N files, one ${OBJECT_BYTES}-byte object each, on a file store; fsck in a fresh process with a ${HEAP_CAP_MIB} MiB V8 heap cap (peak RSS of that process). ${machine}`,
    '',
    '| files | objects | mode | fsck time | peak RSS | slowest checks |',
    '| ---: | ---: | --- | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.files} | ${r.objects} | ${r.mode} | ${(r.fsckMs / 1000).toFixed(1)} s | ${r.peakRssMiB.toFixed(0)} MiB | ${slowest(r.checks)} |`),
    '',
  ];
  return lines.join('\n');
}

async function mainBench(sizes: number[]): Promise<void> {
  const rows: Row[] = [];
  // Times depend on what else the machine runs: record it next to them.
  const machine = `${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(1)} at the start.`;
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'chunkfs-fsck-scale-'));
    try {
      const t0 = Date.now();
      await build(dir, n);
      const buildMs = Date.now() - t0;
      for (const mode of ['check', 'verify-data'] as const) {
        const r = runChild(dir, mode === 'verify-data');
        if (r.errors !== 0) throw new Error(`a clean filesystem of ${n} files has ${r.errors} errors`);
        rows.push({ files: n, objects: n, buildMs, mode, fsckMs: r.fsckMs, peakRssMiB: r.maxRssKiB / 1024, errors: r.errors, checks: r.checks });
        const slow = Object.entries(r.checks).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${v} ms`).join(', ');
        process.stderr.write(`${n} files, ${mode}: ${r.fsckMs} ms, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB (built in ${buildMs} ms; ${slow})\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'fsck-scale.json'), JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2) + '\n');
  writeFileSync(join(RESULTS, 'fsck-scale.md'), markdown(rows, machine));
  process.stdout.write(markdown(rows, machine));
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await child(argv[1]!, argv[2] === 'verify');
else await mainBench(argv.length > 0 ? argv.map(Number) : [25_000, 100_000]);
