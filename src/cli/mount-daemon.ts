import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChunkfsError } from '../errors.js';

/** The CLI entry the daemon runs: dist/bin/chunkfs.js next to this file's dist/src/cli/. */
export const CLI_ENTRY = fileURLToPath(new URL('../../bin/chunkfs.js', import.meta.url));

/** Set in a daemon's environment: report readiness over the IPC channel. */
export const DAEMON_ENV = 'CHUNKFS_DAEMON';

/** What a daemon says over IPC before its parent lets go of it. */
export type DaemonMessage =
  | { type: 'ready'; pid: number; mountpoint: string; store: string }
  | { type: 'error'; line: string; code: number };

export class DaemonFailed extends ChunkfsError {
  constructor(message: string, readonly exitCode: number) {
    super('ERR_MOUNT', message);
  }
}

/**
 * Starts `chunkfs <args>` (a foreground mount) as a detached daemon logging to `logFile`,
 * and waits until it reports the mount live or fails. Resolves with the ready message;
 * rejects with DaemonFailed carrying the daemon's own one-line reason.
 */
export async function startDaemon(args: string[], logFile: string): Promise<Extract<DaemonMessage, { type: 'ready' }>> {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
    // libuv's default of 4 threads lets the store's and the journal's fsyncs queue behind
    // each other: a close waiting on its journal entry would wait for uploads first.
    env: { UV_THREADPOOL_SIZE: '16', ...process.env, [DAEMON_ENV]: '1' },
  });
  closeSync(fd);
  const outcome = await new Promise<DaemonMessage | { type: 'exit'; code: number | null; signal: string | null }>((resolve) => {
    child.once('message', (m) => resolve(m as DaemonMessage));
    child.once('exit', (code, signal) => resolve({ type: 'exit', code, signal }));
    child.once('error', (err) => resolve({ type: 'error', line: `chunkfs: cannot start the mount daemon: ${err.message}`, code: 1 }));
  });
  if (child.connected) child.disconnect();
  child.unref();
  if (outcome.type === 'ready') return outcome;
  if (outcome.type === 'error') throw new DaemonFailed(outcome.line.replace(/^chunkfs: /, ''), outcome.code);
  const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
  throw new DaemonFailed(`the mount daemon ${how} before the mount was ready (see ${logFile})`, 1);
}

/** In a daemon: tell the parent. Returns once the message is handed over. */
export async function tellParent(msg: DaemonMessage): Promise<void> {
  if (!process.send || !process.connected) return;
  await new Promise<void>((resolve) => process.send!(msg, undefined, {}, () => resolve()));
  process.disconnect();
}
