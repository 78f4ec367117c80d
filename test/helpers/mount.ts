import { execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { tempDir } from './tmp.js';

/** The built CLI; tests run it in child processes, never in the test's own process. */
export const CLI = fileURLToPath(new URL('../../bin/chunkfs.js', import.meta.url));
export const MOUNT_HELPER = fileURLToPath(new URL('../../bin/mount.chunkfs.js', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a shell command in a child process, without blocking the test's event loop: mounts
 * are driven by ordinary programs (cp, dd, tar) in other processes, as users drive them.
 */
export function sh(command: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((res) => {
    execFile('/bin/bash', ['-c', command], { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      res({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A sandbox of chunkfs state: its own local dir, runtime dir and mountpoints, all cleaned up. */
export interface Sandbox {
  root: string;
  /** XDG_DATA_HOME/chunkfs: the default local dir of mounts in this sandbox. */
  localDir: string;
  runtimeDir: string;
  env: NodeJS.ProcessEnv;
  /** A new empty directory to mount on (unmounted after the test file, whatever happens). */
  mountpoint(name?: string): string;
  /** `node dist/bin/chunkfs.js ARGS` in a child, with this sandbox's environment. */
  cli(args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run>;
  /** `node dist/bin/mount.chunkfs.js ARGS`. */
  mountHelper(args: string[]): Promise<Run>;
  /** Runs a shell command with the sandbox's environment. */
  sh(command: string, opts?: { cwd?: string; timeoutMs?: number }): Promise<Run>;
  /** Pids of the mount daemons of this sandbox (from their runtime records). */
  daemonPids(): Promise<number[]>;
}

function runNode(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<Run> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // 'close', not 'exit': a daemon forked by the child may hold no copy of these pipes,
    // but wait for the child's own output to end.
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code: code ?? 1, stdout, stderr });
    });
  });
}

/**
 * Makes a sandbox. Its cleanup (registered before its temp dir, so it runs first) lazily
 * unmounts every mountpoint it handed out and kills every daemon it knows, so a failed
 * test never leaves a mount or a process behind.
 */
export function mountSandbox(label = 'chunkfs-e2e'): Sandbox {
  const mountpoints: string[] = [];
  const pids = new Set<number>();
  let sandbox!: Sandbox;
  after(async () => {
    for (const pid of [...pids, ...(await sandbox.daemonPids())]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const m of mountpoints) await sh(`fusermount -uz ${JSON.stringify(m)} 2>/dev/null; true`);
  });
  const root = tempDir(label);
  const dataHome = join(root, 'data');
  const runtimeDir = join(root, 'run');
  mkdirSync(runtimeDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: dataHome, CHUNKFS_RUNTIME_DIR: runtimeDir, CHUNKFS_DEBUG: '' };
  let n = 0;
  sandbox = {
    root,
    localDir: join(dataHome, 'chunkfs'),
    runtimeDir,
    env,
    mountpoint(name) {
      const dir = resolve(root, name ?? `mnt${n++}`);
      mkdirSync(dir, { recursive: true });
      mountpoints.push(dir);
      return dir;
    },
    cli: (args, opts) => runNode(CLI, args, { ...env, ...opts?.env }, opts?.timeoutMs),
    mountHelper: (args) => runNode(MOUNT_HELPER, args, env),
    sh: (command, opts) => sh(command, { ...opts, env }),
    async daemonPids() {
      const { allRecords } = await import('../../src/cli/runtime.js');
      const found = allRecords(runtimeDir).map((r) => r.pid);
      for (const p of found) pids.add(p);
      return found;
    },
  };
  return sandbox;
}

/** CLI store flags and environment that reach an s3rver (its fixed credentials via env). */
export function s3rverCli(endpoint: string): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: ['--endpoint', endpoint, '--path-style', '--region', 'us-east-1'],
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_EC2_METADATA_DISABLED: 'true' },
  };
}

/** Status of a mount as JSON (from the daemon's runtime record). */
export async function mountStatus(box: Sandbox, mountpoint: string): Promise<Record<string, any>> {
  const r = await box.cli(['status', mountpoint, '--json']);
  if (r.code !== 0) throw new Error(`status failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, any>;
}

/** Mounts and fails the test with the CLI's message if that fails. */
export async function mountOk(box: Sandbox, args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  const r = await box.cli(['mount', ...args], { env });
  if (r.code !== 0) throw new Error(`mount ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r;
}

export async function umountOk(box: Sandbox, mountpoint: string): Promise<Run> {
  const r = await box.cli(['umount', mountpoint]);
  if (r.code !== 0) throw new Error(`umount ${mountpoint} failed (${r.code}): ${r.stderr}`);
  return r;
}
