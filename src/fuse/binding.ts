import { createRequire } from 'node:module';
import type FuseType from 'fuse-native';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PATCH_MARKER } from './native/build.js';
import { MountError } from './mount-errors.js';

const ERANGE = -34;
type Signal = (code: number, ...args: unknown[]) => void;
type Cb = (code: number, value?: unknown) => void;

/**
 * Loads fuse-native, or says what the machine lacks. Its binary links libfuse.so.2, so a
 * machine without libfuse2 fails right here, at load time.
 */
export function loadFuse(opts: { device?: string; load?: () => typeof FuseType } = {}): typeof FuseType {
  const device = opts.device ?? '/dev/fuse';
  if (!existsSync(device)) {
    throw new MountError(`FUSE is not available: ${device} is missing (load the fuse kernel module with \`modprobe fuse\`, and install the fuse3 package for fusermount)`);
  }
  let Fuse: typeof FuseType;
  try {
    Fuse = (opts.load ?? (() => createRequire(import.meta.url)('fuse-native') as typeof FuseType))();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/libfuse/.test(msg)) throw new MountError('FUSE is not available: libfuse.so.2 is missing (install the libfuse2 package, e.g. `apt-get install libfuse2`)', { cause: err });
    throw new MountError(`FUSE is not available: fuse-native failed to load: ${msg.split('\n')[0]}`, { cause: err });
  }
  return subclass(Fuse);
}

/**
 * The addon `native/build.ts` built, which fuse-native loads in preference to its prebuilt
 * one: its path and the fixes its marker lists; null when there is none.
 */
export function builtAddon(): { path: string; fixes: string[] } | null {
  try {
    const release = join(dirname(createRequire(import.meta.url).resolve('fuse-native/package.json')), 'build', 'Release');
    const path = join(release, 'fuse.node');
    const marker = join(release, PATCH_MARKER);
    if (!existsSync(path) || !existsSync(marker)) return null;
    const { fixes } = JSON.parse(readFileSync(marker, 'utf8')) as { fixes?: unknown };
    return { path, fixes: Array.isArray(fixes) ? fixes.filter((f): f is string => typeof f === 'string') : [] };
  } catch {
    return null;
  }
}

/** True when fuse-native runs the addon rebuilt with the utimens fixes (native/build.ts). */
export function hasUtimensFix(): boolean {
  return builtAddon() !== null;
}

/**
 * fuse-native with three of its handlers corrected:
 * - fgetattr calls `ops.fgetattr(path, fd)` (fuse-native calls getattr by path, which fails
 *   for an open file that has lost its name);
 * - getxattr and listxattr learn the size of the caller's buffer and answer ERANGE when the
 *   value does not fit (fuse-native would cut it short silently).
 */
function subclass(Fuse: typeof FuseType): typeof FuseType {
  class ChunkfsFuse extends Fuse {
    override _op_fgetattr(signal: Signal, path: string, fd: number): void {
      const ops = this.ops;
      // Reuse fuse-native's own stat packing by running its getattr handler over fgetattr.
      const shim = { ops: { getattr: (p: string, cb: Cb) => ops.fgetattr!(p, fd, cb) } };
      (Fuse.prototype as unknown as { _op_getattr: (this: unknown, s: Signal, p: string) => void })._op_getattr.call(shim, signal, path);
    }

    override _op_getxattr(signal: Signal, path: string, name: string, valueBuf: Buffer): void {
      this.ops.getxattr!(path, name, valueBuf.length, (err: number, value?: Buffer) => {
        if (err) return signal(err, valueBuf.buffer);
        const v = value ?? Buffer.alloc(0);
        if (valueBuf.length === 0) return signal(v.length, valueBuf.buffer);
        if (v.length > valueBuf.length) return signal(ERANGE, valueBuf.buffer);
        v.copy(valueBuf);
        return signal(v.length, valueBuf.buffer);
      });
    }

    override _op_listxattr(signal: Signal, path: string, listBuf: Buffer): void {
      this.ops.listxattr!(path, listBuf.length, (err: number, list?: string[]) => {
        if (err) return signal(err, listBuf.buffer);
        const packed = Buffer.concat((list ?? []).map((n) => Buffer.from(`${n}\0`, 'utf8')));
        if (listBuf.length === 0) return signal(packed.length, listBuf.buffer);
        if (packed.length > listBuf.length) return signal(ERANGE, listBuf.buffer);
        packed.copy(listBuf);
        return signal(packed.length, listBuf.buffer);
      });
    }
  }
  return ChunkfsFuse;
}
