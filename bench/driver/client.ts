import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DriverResult, DriverSpec } from './spec.js';

const DRIVER = fileURLToPath(new URL('./main.js', import.meta.url));

/** Live driver processes, killed by the harness's cleanup when it is interrupted. */
export const liveDrivers = new Set<import('node:child_process').ChildProcess>();

/**
 * Runs one step in a driver process and returns what it measured. The harness waits
 * asynchronously, so its proxy keeps serving while the driver blocks in system calls.
 * A step that takes longer than `timeoutMs` is killed and fails.
 */
export function runStep(spec: DriverSpec, timeoutMs: number): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DRIVER, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    liveDrivers.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      liveDrivers.delete(child);
      if (timedOut) return reject(new Error(`${spec.op} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`));
      if (code !== 0) return reject(new Error(`${spec.op} failed: ${err.trim() || `exit code ${code}`}`));
      try {
        resolve(JSON.parse(out) as DriverResult);
      } catch {
        reject(new Error(`${spec.op}: unreadable driver output: ${out.slice(0, 200)}`));
      }
    });
  });
}
