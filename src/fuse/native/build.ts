/**
 * Builds fuse-native's addon from its own source with two fixes to utimens and the table
 * of listed attributes (`listed-attrs-c.ts`), into
 * `node_modules/fuse-native/build/Release/fuse.node`, which fuse-native loads in preference
 * to its prebuilt binary. Run after `npm ci` (scripts/setup.sh does): `node dist/src/fuse/native/build.js`.
 *
 * The fixes:
 * 1. fuse-native 2.2.6 passes the atime twice (as atime and as mtime): pass the mtime.
 * 2. libfuse 2 drops a utimensat that sets one time only (tar -x, cp -p, touch -m set the
 *    mtime alone) unless the filesystem declares `flag_utime_omit_ok`. Declare it, and hand
 *    UTIME_OMIT and UTIME_NOW to JavaScript as the sentinels in `../utime.ts`.
 *
 * The addition: getattr first looks in the attributes of the last listing, in libfuse's
 * thread, and only then asks JavaScript (`../native-listed.ts` drives it).
 *
 * It needs only a C compiler: node's headers ship with Node (include/node), libfuse's with
 * fuse-shared-library-linux, and napi-macros is an npm dependency of fuse-native.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UTIME_NOW_MS, UTIME_OMIT_MS } from '../utime.js';
import { LISTED_ATTRS_C } from './listed-attrs-c.js';

/** Marker next to the built addon, read by `binding.ts` (and the tests) to know the fix is in. */
export const PATCH_MARKER = 'chunkfs-utimens-fix.json';

const require = createRequire(import.meta.url);

function replaceOnce(src: string, from: string, to: string): string {
  const at = src.indexOf(from);
  if (at < 0 || src.indexOf(from, at + 1) >= 0) throw new Error(`fuse-native.c: expected exactly one "${from.slice(0, 60)}"`);
  return src.slice(0, at) + to + src.slice(at + from.length);
}

export function patchSource(src: string): string {
  let out = replaceOnce(
    src,
    '#include <fuse.h>\n',
    `#include <fuse.h>\n#include <sys/stat.h>\n#ifndef UTIME_NOW\n#define UTIME_NOW ((1l << 30) - 1l)\n#define UTIME_OMIT ((1l << 30) - 2l)\n#endif\n` +
      `static uint64_t chunkfs_utime_ms (const struct timespec *ts) {\n` +
      `  if (ts->tv_nsec == UTIME_OMIT) return ${UTIME_OMIT_MS}ULL;\n` +
      `  if (ts->tv_nsec == UTIME_NOW) return ${UTIME_NOW_MS}ULL;\n` +
      `  return ((uint64_t) ts->tv_sec * 1000) + (ts->tv_nsec / 1000000);\n}\n`,
  );
  out = replaceOnce(out, '  l->atime = timespec_to_uint64(&tv[0]);\n  l->mtime = timespec_to_uint64(&tv[1]);', '  l->atime = chunkfs_utime_ms(&tv[0]);\n  l->mtime = chunkfs_utime_ms(&tv[1]);');
  out = replaceOnce(out, 'FUSE_UINT64_TO_INTS_ARGV(l->atime, 5)', 'FUSE_UINT64_TO_INTS_ARGV(l->mtime, 5)');
  out = replaceOnce(out, '  if (implemented[op_init]) ops.init = fuse_native_init;\n', '  if (implemented[op_init]) ops.init = fuse_native_init;\n  ops.flag_utime_omit_ok = 1;\n');
  out = replaceOnce(out, 'static void * fuse_native_init (struct fuse_conn_info *conn) {', `${LISTED_ATTRS_C}\nstatic void * fuse_native_init (struct fuse_conn_info *conn) {`);
  out = replaceOnce(out, 'if (implemented[op_getattr]) ops.getattr = fuse_native_getattr;', 'if (implemented[op_getattr]) ops.getattr = chunkfs_getattr;');
  out = replaceOnce(
    out,
    '  NAPI_EXPORT_FUNCTION(fuse_native_unmount)\n',
    '  NAPI_EXPORT_FUNCTION(fuse_native_unmount)\n  NAPI_EXPORT_FUNCTION(chunkfs_listed_fill)\n  NAPI_EXPORT_FUNCTION(chunkfs_listed_clear)\n  NAPI_EXPORT_FUNCTION(chunkfs_listed_answered)\n',
  );
  return out;
}

export function build(): string {
  const pkgDir = dirname(require.resolve('fuse-native/package.json'));
  const fromPkg = createRequire(join(pkgDir, 'index.js'));
  const napiMacros = dirname(fromPkg.resolve('napi-macros/napi-macros.h'));
  // fuse-shared-library/include prints its directory (binding.gyp runs it with node -e).
  const fuseInclude = execFileSync(process.execPath, ['-e', "require('fuse-shared-library/include')"], { cwd: pkgDir, encoding: 'utf8' }).trim();
  const nodeInclude = join(dirname(dirname(process.execPath)), 'include', 'node');
  const includes = [nodeInclude, '/usr/include/node', '/usr/local/include/node'].filter((d) => existsSync(join(d, 'node_api.h')));
  if (includes.length === 0) throw new Error('node_api.h not found (looked in <node prefix>/include/node, /usr/include/node, /usr/local/include/node)');
  const work = mkdtempSync(join(tmpdir(), 'chunkfs-fuse-native-'));
  try {
    const source = join(work, 'fuse-native.c');
    writeFileSync(source, patchSource(readFileSync(join(pkgDir, 'fuse-native.c'), 'utf8')));
    const outDir = join(pkgDir, 'build', 'Release');
    mkdirSync(outDir, { recursive: true });
    const out = join(outDir, 'fuse.node');
    const cc = process.env.CC ?? 'cc';
    execFileSync(cc, ['-shared', '-fPIC', '-O2', '-D_FILE_OFFSET_BITS=64', `-I${napiMacros}`, `-I${fuseInclude}`, `-I${includes[0]}`, source, '-o', `${out}.tmp`, '-l:libfuse.so.2', '-lpthread'], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('mv', [`${out}.tmp`, out]);
    writeFileSync(join(outDir, PATCH_MARKER), JSON.stringify({ fixes: ['utimens mtime', 'flag_utime_omit_ok', 'listed attrs'], builtMs: Date.now() }) + '\n');
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  try {
    process.stdout.write(`chunkfs: built ${build()} (fuse-native with the utimens fixes and listed attributes)\n`);
  } catch (err) {
    const msg = err instanceof Error ? ((err as { stderr?: Buffer }).stderr?.toString() || err.message) : String(err);
    process.stderr.write(`chunkfs: could not build the fixed fuse-native addon, keeping its prebuilt one (mtimes set alone are lost): ${msg.trim().split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}
