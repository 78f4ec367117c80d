import { homedir } from 'node:os';
import { join } from 'node:path';

/** `${XDG_DATA_HOME:-~/.local/share}/chunkfs`: local metadata, cache, logs and the embedded store. */
export function defaultLocalDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'chunkfs');
}

/** The embedded default store of a local dir: `file://<localDir>/store`. */
export const embeddedStoreUrl = (localDir: string): string => `file://${join(localDir, 'store')}`;

/**
 * Where mounts leave their runtime records: `$CHUNKFS_RUNTIME_DIR`, else `/run/chunkfs` for
 * root, else `$XDG_RUNTIME_DIR/chunkfs`, else `<default local dir>/run`. It never depends on
 * `-o cache_dir`, so `umount` and `status` find a mount knowing only its mountpoint.
 */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHUNKFS_RUNTIME_DIR) return env.CHUNKFS_RUNTIME_DIR;
  if (process.getuid?.() === 0) return '/run/chunkfs';
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'chunkfs');
  return join(defaultLocalDir(env), 'run');
}

/** A file name for a mountpoint: readable, and unique through a hash of the full path. */
export function mountpointSlug(mountpoint: string): string {
  let h = 0x811c9dc5;
  for (const c of Buffer.from(mountpoint)) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  const name = mountpoint.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(-60) || 'root';
  return `${name}-${h.toString(16).padStart(8, '0')}`;
}
