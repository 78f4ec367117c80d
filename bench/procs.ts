import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Runs a command to completion (asynchronously) and returns its exit code and output. */
export function exec(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: stderr + err.message });
    });
    // On exit, not on close: a command that leaves a daemon behind (mount) may have handed
    // it our pipes, and they would then stay open as long as the daemon runs.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const done = (): void => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      const grace = setTimeout(done, 200);
      child.on('close', () => {
        clearTimeout(grace);
        done();
      });
    });
  });
}

/** Whether `name` is an executable on PATH. */
export async function hasCommand(name: string): Promise<boolean> {
  return (await exec('sh', ['-c', `command -v ${name}`])).code === 0;
}

/** Mount points (from /proc/mounts) at or under `dir`. */
export function mountsUnder(dir: string): string[] {
  const text = readFileSync('/proc/mounts', 'utf8');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const mp = line.split(' ')[1]?.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mp && (mp === dir || mp.startsWith(`${dir}/`))) out.push(mp);
  }
  return out;
}

export const isMounted = (dir: string): boolean => mountsUnder(dir).includes(dir);

/** Pids of processes (other than this one) whose command line mentions `text`. */
export function pidsMentioning(text: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(text)) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux port but a few). */
let ticksPerSecond: number | null = null;

/** CPU time (user and system) a process has used so far, in seconds; null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is the first; utime and stime the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** VmHWM (peak resident set) of a process in bytes, or null when it is gone. */
export function peakRss(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `pred()` holds or `timeoutMs` passes; returns whether it held. */
export async function until(pred: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pred()) return true;
    await sleep(stepMs);
  }
  return pred();
}

/**
 * Unmounts a FUSE mount point whatever state it is in: a clean `fusermount -u`, else the
 * lazy `-uz` that also clears a dead ("Transport endpoint is not connected") mount.
 */
export async function forceUnmount(mp: string): Promise<void> {
  if (!isMounted(mp)) return;
  if ((await exec('fusermount', ['-u', mp], { timeoutMs: 10_000 })).code === 0) return;
  await exec('fusermount', ['-uz', mp], { timeoutMs: 10_000 });
}
