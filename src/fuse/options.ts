import { UsageError } from '../errors.js';

/** How attributes are shown: s3fs-style overrides of owner and permission bits. */
export interface Presentation {
  uid?: number;
  gid?: number;
  /** Bits cleared from every mode. */
  umask?: number;
  /** Bits cleared from non-directories' modes. */
  fmask?: number;
  /** Bits cleared from directories' modes. */
  dmask?: number;
}

/** chunkfs's own settings that `-o` can carry (see openFilesystem's options). */
export interface FsSettings {
  cacheDir?: string;
  cacheSize?: number;
  cacheLargeWrites?: boolean;
  writeback: boolean;
  uploadConcurrency?: number;
  snapshotIntervalMs?: number;
}

/** Everything a `-o` list says, sorted by who needs it. */
export interface MountOptions {
  /** Options handed to libfuse as they are (`allow_other`, `entry_timeout=1`, ...). */
  fuse: string[];
  readOnly: boolean;
  nonempty: boolean;
  fsname?: string;
  /** Mount type shown in /proc/mounts is `fuse.<subtype>`. */
  subtype: string;
  present: Presentation;
  fs: FsSettings;
  /** The store options given with -o (the CLI hands them to the store layer). */
  store: StoreMountOptions;
}

/**
 * mount(8) and fstab pass these; they mean nothing to a FUSE mount (or are the defaults),
 * so they are accepted and ignored.
 */
const IGNORED = new Set(['rw', 'defaults', '_netdev', 'auto', 'noauto', 'user', 'nouser', 'users', 'exec', 'dev', 'suid', 'nofail', 'async']);
/** libfuse flags passed through unchanged. */
const FUSE_FLAGS = new Set(['allow_other', 'allow_root', 'default_permissions', 'auto_unmount', 'kernel_cache', 'auto_cache', 'noexec', 'nosuid', 'nodev', 'noatime', 'nodiratime', 'relatime', 'sync', 'dirsync']);
/** libfuse options with a numeric (seconds) value, passed through once checked. */
const FUSE_TIMEOUTS = new Set(['entry_timeout', 'attr_timeout', 'negative_timeout']);

/** Splits `-o` strings on commas (a `\,` is a literal comma) and drops empty items. */
export function splitOptionList(lists: string[]): string[] {
  const out: string[] = [];
  for (const list of lists) {
    for (const item of list.split(/(?<!\\),/)) if (item.trim() !== '') out.push(item.trim().replace(/\\,/g, ','));
  }
  return out;
}

/** `512M`, `2G`, `1048576`, `64KiB` → bytes. */
export function parseSize(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${what} must be a size like 512M or 2G, not "${text}"`);
  const unit = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * unit);
}

/** `30`, `30s`, `5m`, `1h` → milliseconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${what} must be a duration like 30, 30s, 5m or 1h, not "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

function parseInt10(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a non-negative integer, not "${text}"`);
  return Number(text);
}

function parseOctal(text: string, what: string): number {
  if (!/^[0-7]{1,4}$/.test(text)) throw new UsageError(`${what} must be octal permission bits like 022, not "${text}"`);
  return parseInt(text, 8);
}

function parseSeconds(text: string, what: string): string {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`${what} must be a number of seconds, not "${text}"`);
  return text;
}

function needValue(key: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`mount option "${key}" needs a value (${key}=...)`);
  return value;
}

/** Parses `-o` lists (each may hold several comma-separated options). Unknown options are a UsageError. */
export function parseMountOptions(lists: string[]): MountOptions {
  const o: MountOptions = { fuse: [], readOnly: false, nonempty: false, subtype: 'chunkfs', present: {}, fs: { writeback: false }, store: {} };
  for (const item of splitOptionList(lists)) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? undefined : item.slice(eq + 1);
    applyOption(o, key, value);
  }
  // fuse-native passes no caller credentials, so the filesystem cannot check permissions
  // itself: the kernel must, against the modes and owners chunkfs reports.
  if (!o.fuse.includes('default_permissions')) o.fuse.push('default_permissions');
  // Attributes are cached for libfuse's default second. Without that cache, each path
  // lookup under default_permissions asks again for every directory on the path: six
  // requests per file of an `ls -l` instead of one. The price: libfuse 2's high-level API
  // gives each name of a hard-linked file its own kernel inode, so the link count seen
  // through one name lags for up to that second after `ln` or `rm` through another
  // (attr_timeout=0 makes it exact; the README says when that matters).
  return o;
}

function applyOption(o: MountOptions, key: string, value: string | undefined): void {
  if (IGNORED.has(key) || key.startsWith('x-') || key === 'comment') return;
  if (FUSE_FLAGS.has(key) && value === undefined) return void o.fuse.push(key);
  if (FUSE_TIMEOUTS.has(key)) return void o.fuse.push(`${key}=${parseSeconds(needValue(key, value), key)}`);
  const v = (): string => needValue(key, value);
  switch (key) {
    case 'ro': o.readOnly = true; return;
    case 'nonempty': o.nonempty = true; return;
    case 'uid': o.present.uid = parseInt10(v(), 'uid'); return;
    case 'gid': o.present.gid = parseInt10(v(), 'gid'); return;
    case 'umask': o.present.umask = parseOctal(v(), 'umask'); return;
    case 'fmask': o.present.fmask = parseOctal(v(), 'fmask'); return;
    case 'dmask': o.present.dmask = parseOctal(v(), 'dmask'); return;
    case 'fsname': o.fsname = v(); return;
    case 'subtype': o.subtype = v().replace(/^fuse\./, ''); return;
    case 'cache_dir': o.fs.cacheDir = v(); return;
    case 'cache_size': o.fs.cacheSize = parseSize(v(), 'cache_size'); return;
    case 'writeback': o.fs.writeback = true; return;
    case 'cache_large_writes': o.fs.cacheLargeWrites = true; return;
    case 'upload_concurrency': {
      const n = parseInt10(v(), 'upload_concurrency');
      if (n < 1) throw new UsageError('upload_concurrency must be at least 1');
      o.fs.uploadConcurrency = n;
      return;
    }
    case 'snapshot_interval': o.fs.snapshotIntervalMs = parseDuration(v(), 'snapshot_interval'); return;
    case 'endpoint': o.store.endpoint = v(); return;
    case 'region': o.store.region = v(); return;
    case 'path_style': case 'use_path_request_style': o.store.pathStyle = true; return;
    case 'passwd_file': o.store.passwdFile = v(); return;
    case 'profile': o.store.profile = v(); return;
  }
  throw new UsageError(`unknown mount option "${key}"${value === undefined ? '' : ` (in "${key}=${value}")`}; see \`chunkfs mount --help\``);
}

/** libfuse 2's attribute cache time when no `attr_timeout` is given. */
const LIBFUSE_ATTR_TIMEOUT_S = 1;

/** How long the kernel caches attributes, in milliseconds (`attr_timeout`, else libfuse's second). */
export function attrTimeoutMs(o: MountOptions): number {
  const given = o.fuse.find((f) => f.startsWith('attr_timeout='));
  return (given ? Number(given.slice('attr_timeout='.length)) : LIBFUSE_ATTR_TIMEOUT_S) * 1000;
}

/** Escapes a value for libfuse's option parser (`,` and `\` are special there). */
const escapeOpt = (s: string): string => s.replace(/[\\,]/g, (c) => `\\${c}`);

/**
 * The whole `-o` list for libfuse. `big_writes,max_write=131072` makes the kernel send
 * 128 KiB writes instead of 4 KiB ones (measured: ten times the throughput), and `use_ino`
 * reports chunkfs's inode numbers, without which hard links look like distinct files to
 * tar, cp -a and rsync.
 */
export function libfuseOptions(o: MountOptions, defaultFsname: string): string[] {
  const list = [`fsname=${escapeOpt(o.fsname ?? defaultFsname)}`, `subtype=${escapeOpt(o.subtype)}`, 'big_writes', 'max_write=131072', 'use_ino'];
  if (o.readOnly) list.push('ro');
  if (o.nonempty) list.push('nonempty');
  list.push(...o.fuse);
  return list;
}

/**
 * fuse-native options carrying that list. fuse-native builds `-o` from named options
 * only, but joins `fsname` into it as is: the one way to pass any libfuse option.
 */
export function fuseNativeOptions(o: MountOptions, defaultFsname: string): { fsname: string; timeout: false } {
  const [first, ...rest] = libfuseOptions(o, defaultFsname);
  return { fsname: [first!.slice('fsname='.length), ...rest].join(','), timeout: false };
}

/** Store options given with -o; the same fields as the store layer's StoreOptions. */
export interface StoreMountOptions {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  passwdFile?: string;
  profile?: string;
}
