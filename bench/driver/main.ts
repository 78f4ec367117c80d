/**
 * The driver: a separate process that makes the timed system calls on a filesystem, so
 * that the harness process (which hosts the proxy on the data path) never blocks in a
 * syscall that waits on that very proxy, and latencies are measured without an event loop
 * in between. Usage: node main.js '<DriverSpec JSON>'; prints one DriverResult JSON line.
 */
import { appendFsync, fsyncFile, poke, rename } from './ops-misc.js';
import { randomIo } from './ops-random.js';
import { seqRead, seqWrite } from './ops-seq.js';
import { createFiles, deleteFiles, listLong, readFiles, statFiles } from './ops-small.js';
import type { DriverResult, DriverSpec } from './spec.js';

function run(spec: DriverSpec): DriverResult {
  switch (spec.op) {
    case 'seqWrite': return seqWrite(spec.path, spec.size, spec.block, spec.fsync);
    case 'seqRead': return seqRead(spec.path, spec.block);
    case 'random': return randomIo(spec.path, spec.mode, spec.seconds, spec.block, spec.flush);
    case 'create': return createFiles(spec.dir, spec.count, spec.size);
    case 'stat': return statFiles(spec.dir, spec.count);
    case 'read': return readFiles(spec.dir, spec.count);
    case 'delete': return deleteFiles(spec.dir, spec.count);
    case 'poke': return poke(spec.path, spec.offset);
    case 'rename': return rename(spec.from, spec.to);
    case 'append': return appendFsync(spec.path, spec.count, spec.size);
    case 'ls': return listLong(spec.dir);
    case 'fsync': return fsyncFile(spec.path);
  }
}

try {
  const spec = JSON.parse(process.argv[2] ?? '{}') as DriverSpec;
  const cpu0 = process.cpuUsage();
  const result = run(spec);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
