import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { describeHolder, readLease } from '../metadata/lease.js';
import { readSuperblock } from '../metadata/superblock.js';
import { openStore } from './store-open.js';
import type { StoreOptions } from '../store/types.js';
import { UsageError } from '../errors.js';
import { findMount } from '../fuse/mountinfo.js';
import type { CliCommand } from './command.js';
import { EXIT_OK } from './exit.js';
import { formatBytes } from './human.js';
import { isAlive, readRecord, type RuntimeRecord } from './runtime.js';
import { addStoreFlags, CLI_RETRY, mergeStoreFlags, parseStoreOptionList, STORE_HELP, type StoreFlags } from './store-options.js';
import { lastSnapshot } from './store-probe.js';

export interface StatusOptions {
  /** A mountpoint of a running mount, or a store URL. */
  target: string;
  storeOptions?: StoreOptions;
  json?: boolean;
  out?: (line: string) => void;
}

export const help = `
Shows a filesystem's state. For a MOUNTPOINT, asks its daemon: uuid, chunk size, files,
bytes, objects, dirty bytes waiting for upload, uploads since mounting, last metadata
snapshot, lease holder, and the sizes of the writes the kernel sends. For a STORE URL,
reads the store: uuid, chunk size, last snapshot, lease holder.

Examples:
  chunkfs status /mnt/data
  chunkfs status s3://my-bucket/fs
  chunkfs status /mnt/data --json
${STORE_HELP}`;

/** What status reports; fields a target cannot tell are absent. */
export interface Status {
  target: string;
  mounted: boolean;
  mountpoint?: string;
  pid?: number;
  store: string;
  uuid: string;
  chunkSize: number;
  readOnly?: boolean;
  files?: number;
  bytes?: number;
  objects?: number;
  dirtyBytes?: number;
  uploadedObjects?: number;
  uploadedBytes?: number;
  lastSnapshot?: { seq: number; at: string };
  lease: string | null;
  fuseWrites?: { count: number; bytes: number; largest: number };
  /** Requests the kernel sent since mount, per operation: how many and their total milliseconds. */
  fuseOps?: Record<string, { count: number; ms: number }>;
}

const known = (n: number | undefined): number | undefined => (n === undefined || n < 0 ? undefined : n);

function fromRecord(target: string, r: RuntimeRecord): Status {
  return {
    target,
    mounted: true,
    mountpoint: r.mountpoint,
    pid: r.pid,
    store: r.store,
    uuid: r.uuid,
    chunkSize: r.chunkSize,
    readOnly: r.readOnly,
    files: known(r.usage?.files),
    bytes: known(r.usage?.bytes),
    objects: known(r.usage?.objects),
    dirtyBytes: r.data.dirtyBytes,
    uploadedObjects: r.data.uploadedObjects,
    uploadedBytes: r.data.uploadedBytes,
    lastSnapshot: r.lastSnapshot ? { seq: r.lastSnapshot.seq, at: new Date(r.lastSnapshot.atMs).toISOString() } : undefined,
    lease: r.readOnly ? null : r.lease ? describeHolder({ ...r.lease, uuid: '' }) : null,
    fuseWrites: { count: r.fuse.writes, bytes: r.fuse.writeBytes, largest: r.fuse.largestWrite },
    fuseOps: r.fuse.timing,
  };
}

/** Asks the daemon to refresh its record (SIGUSR1) and reads it back. */
async function freshRecord(mountpoint: string): Promise<RuntimeRecord | undefined> {
  const before = readRecord(mountpoint);
  if (!before || before.state !== 'running' || !isAlive(before.pid)) return undefined;
  process.kill(before.pid, 'SIGUSR1');
  for (let i = 0; i < 20; i++) {
    await sleep(50);
    const r = readRecord(mountpoint);
    if (r && r.updatedMs > before.updatedMs) return r;
  }
  return readRecord(mountpoint) ?? before;
}

async function ofStore(url: string, storeOptions: StoreOptions): Promise<Status> {
  const store = await openStore(url, { retry: CLI_RETRY, ...storeOptions });
  try {
    const sb = await readSuperblock(store);
    const snap = await lastSnapshot(store);
    const lease = await readLease(store);
    const live = lease && lease.expiresMs > Date.now();
    return {
      target: url,
      mounted: Boolean(live),
      store: store.description,
      uuid: sb.uuid,
      chunkSize: sb.chunkSize,
      lastSnapshot: snap ? { seq: snap.seq, at: new Date(snap.atMs).toISOString() } : undefined,
      lease: lease ? `${describeHolder(lease)}${live ? '' : ' (expired)'}` : null,
    };
  } finally {
    await store.close();
  }
}

function print(s: Status, out: (l: string) => void): void {
  const rows: [string, string | undefined][] = [
    ['mountpoint', s.mountpoint ? `${s.mountpoint} (pid ${s.pid}${s.readOnly ? ', read-only' : ''})` : s.mounted ? undefined : 'not mounted here'],
    ['store', s.store],
    ['uuid', s.uuid],
    ['chunk size', formatBytes(s.chunkSize)],
    ['files', s.files?.toString()],
    ['bytes', s.bytes === undefined ? undefined : `${s.bytes} (${formatBytes(s.bytes)})`],
    ['objects', s.objects?.toString()],
    ['dirty', s.dirtyBytes === undefined ? undefined : `${formatBytes(s.dirtyBytes)} waiting for upload`],
    ['uploaded', s.uploadedObjects === undefined ? undefined : `${s.uploadedObjects} objects, ${formatBytes(s.uploadedBytes!)} since mounted`],
    ['last snapshot', s.lastSnapshot ? `#${s.lastSnapshot.seq} at ${s.lastSnapshot.at}` : 'none yet'],
    ['lease', s.lease ?? 'free'],
    ['fuse writes', s.fuseWrites ? `${s.fuseWrites.count} (largest ${formatBytes(s.fuseWrites.largest)})` : undefined],
    ['fuse requests', s.fuseOps ? describeOps(s.fuseOps) : undefined],
  ];
  for (const [k, v] of rows) if (v !== undefined) out(`${`${k}:`.padEnd(15)}${v}`);
}

/** The busiest operations first: `getattr 1200 (0.02 ms avg), write 40 (0.31 ms avg)`. */
function describeOps(ops: Record<string, { count: number; ms: number }>): string | undefined {
  const lines = Object.entries(ops).sort((a, b) => b[1].count - a[1].count);
  if (lines.length === 0) return undefined;
  // Lookups answered in libfuse's thread carry no JavaScript time.
  return lines.map(([op, t]) => (t.ms > 0 ? `${op} ${t.count} (${(t.ms / t.count).toFixed(2)} ms avg)` : `${op} ${t.count}`)).join(', ');
}

export async function run(opts: StatusOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  let status: Status;
  if (/^[a-z][a-z0-9+.-]*:/i.test(opts.target)) {
    status = await ofStore(opts.target, opts.storeOptions ?? {});
  } else {
    const mnt = resolve(opts.target);
    const rec = await freshRecord(mnt);
    if (!rec || !(await findMount(mnt))) throw new UsageError(`${mnt} is not a chunkfs mount (give a mountpoint of a running mount, or a store URL)`);
    status = fromRecord(opts.target, rec);
  }
  if (opts.json) out(JSON.stringify(status, null, 2));
  else print(status, out);
  return EXIT_OK;
}

export const command: CliCommand = {
  name: 'status',
  register(program: Command, done) {
    const cmd = program
      .command('status')
      .description("show a filesystem's state")
      .argument('<target>', 'a mountpoint, or a store URL')
      .option('--json', 'print JSON')
      .addHelpText('after', help);
    addStoreFlags(cmd).action((target: string, flags: StoreFlags & { json?: boolean }) => {
      done((async () => run({ target, json: flags.json, storeOptions: mergeStoreFlags(parseStoreOptionList(flags.o ?? []), flags) }))());
    });
  },
};
