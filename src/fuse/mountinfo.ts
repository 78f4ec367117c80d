import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

export interface MountEntry {
  mountpoint: string;
  /** e.g. `fuse.chunkfs`. */
  fstype: string;
  source: string;
  options: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Parses /proc/self/mountinfo text (see proc(5)). */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 0 || fields.length < dash + 3) continue;
    out.push({
      mountpoint: unescape(fields[4]!),
      options: fields[5]!,
      fstype: fields[dash + 1]!,
      source: unescape(fields[dash + 2]!),
    });
  }
  return out;
}

/** The mount at exactly `mountpoint` (the last one, if several are stacked), or undefined. */
export async function findMount(mountpoint: string, file = '/proc/self/mountinfo'): Promise<MountEntry | undefined> {
  return parseMountinfo(await readFile(file, 'utf8')).filter((m) => m.mountpoint === mountpoint).pop();
}

export function findMountSync(mountpoint: string, file = '/proc/self/mountinfo'): MountEntry | undefined {
  return parseMountinfo(readFileSync(file, 'utf8')).filter((m) => m.mountpoint === mountpoint).pop();
}
