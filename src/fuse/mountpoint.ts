import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MountError } from './mount-errors.js';
import { findMount } from './mountinfo.js';

/**
 * Checks that `path` can be mounted on: it exists, is a directory, is not mounted already
 * (or a dead FUSE mount), and is empty unless `nonempty`. Returns the absolute path.
 * Never touches a live FUSE mount of this process (it runs before mounting).
 */
export async function checkMountpoint(path: string, opts: { nonempty?: boolean } = {}): Promise<string> {
  const abs = resolve(path);
  const existing = await findMount(abs);
  if (existing) {
    let dead = false;
    try {
      await stat(abs);
    } catch (err) {
      dead = (err as NodeJS.ErrnoException).code === 'ENOTCONN';
    }
    if (dead) throw new MountError(`${abs} is a dead mount (transport endpoint is not connected): clear it with \`chunkfs umount ${abs}\``);
    throw new MountError(`${abs} is already mounted (${existing.fstype} from ${existing.source})`);
  }
  let st;
  try {
    st = await stat(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MountError(`mountpoint ${abs} does not exist (create it with \`mkdir -p ${abs}\`)`);
    throw new MountError(`mountpoint ${abs} is not usable: ${code ?? String(err)}`);
  }
  if (!st.isDirectory()) throw new MountError(`mountpoint ${abs} is not a directory`);
  if (!opts.nonempty && (await readdir(abs)).length > 0) {
    throw new MountError(`mountpoint ${abs} is not empty (mount over it anyway with -o nonempty)`);
  }
  return abs;
}
