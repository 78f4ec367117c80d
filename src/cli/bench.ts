import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseStoreUrl } from '../store/url.js';
import { DEFAULT_PARALLEL, DEFAULT_SYSTEMS, renderTable, runBench } from '../../bench/run.js';
import { readCredentials } from '../../bench/setup.js';
import { parseBandwidth, parseLatency } from '../../bench/units.js';
import { workloadNames } from '../../bench/workloads/index.js';
import type { CliCommand } from './command.js';
import { EXIT_FAILURE, EXIT_OK, reportFailure } from './exit.js';

export interface BenchCliOptions {
  /** An s3:// store on an http endpoint to use instead of a private s3rver. */
  store?: string;
  endpoint?: string;
  passwdFile?: string;
  quick?: boolean;
  out?: string;
  latency?: string;
  bandwidth?: string;
  workloads?: string;
  systems?: string;
  parallel?: string;
  log?: (line: string) => void;
}

export const help = `
Runs the benchmark workloads on chunkfs and, in the same run and through the same
byte-counting proxy, on the baselines: the raw store (the AWS SDK putting and getting
the same bytes), s3fs when installed, chunkfs on a local file store, and the local disk.
By default it starts its own s3rver on loopback and removes everything it made at the end,
even on failure or Ctrl-C.

Workloads: ${workloadNames().join(', ')}
Systems:   ${DEFAULT_SYSTEMS.join(', ')}

Examples:
  chunkfs bench --quick
  chunkfs bench --out bench/results
  chunkfs bench --latency 20ms --bandwidth 100MB/s --workloads seq,poke
  chunkfs bench s3://bucket/prefix --endpoint http://127.0.0.1:9000 --passwd-file ~/.passwd-s3fs`;

function list(text: string | undefined, known: string[], what: string): string[] {
  if (text === undefined) return known;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !known.includes(i));
  if (bad.length > 0) throw new UsageError(`unknown ${what} "${bad[0]}"; known: ${known.join(', ')}`);
  return items;
}

/** The store to benchmark instead of a private s3rver: an s3:// URL on an http endpoint. */
function givenStore(o: BenchCliOptions) {
  if (!o.store) return undefined;
  const url = parseStoreUrl(o.store);
  if (url.scheme !== 's3') throw new UsageError('STORE must be an s3:// URL (the file store and the local disk are always measured)');
  if (!o.endpoint?.startsWith('http://')) throw new UsageError('a STORE needs --endpoint http://HOST:PORT (the proxy forwards plain HTTP only)');
  if (!o.passwdFile) throw new UsageError('a STORE needs --passwd-file with ACCESS:SECRET (the raw-store baseline signs its own requests)');
  return { bucket: url.bucket, prefix: url.prefix, endpoint: o.endpoint, credentials: readCredentials(o.passwdFile) };
}

export async function run(o: BenchCliOptions): Promise<number> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  try {
    const parallel = o.parallel === undefined ? DEFAULT_PARALLEL : Number(o.parallel);
    if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel must be a positive integer, not "${o.parallel}"`);
    const results = await runBench({
      quick: o.quick ?? false,
      out: o.out,
      latencyMs: o.latency === undefined ? 0 : parseLatency(o.latency),
      bandwidth: o.bandwidth === undefined ? null : parseBandwidth(o.bandwidth),
      workloads: list(o.workloads, workloadNames(), 'workload'),
      systems: list(o.systems, DEFAULT_SYSTEMS, 'system'),
      parallel,
      store: givenStore(o),
      log,
    });
    process.stdout.write(`\n${renderTable(results)}\n`);
    if (o.out) process.stdout.write(`\nreports in ${o.out}: results.json, report.md, chart.svg\n`);
    const failed = results.results.filter((r) => r.error);
    for (const f of failed) log(`${f.workload} on ${f.system} failed: ${f.error}`);
    return failed.length > 0 ? EXIT_FAILURE : EXIT_OK;
  } catch (err) {
    return reportFailure(err);
  }
}

export const command: CliCommand = {
  name: 'bench',
  register(program: Command, done) {
    program
      .command('bench')
      .description('benchmark chunkfs against the raw store and its peers')
      .argument('[store]', 'an s3:// store to use instead of a private s3rver')
      .option('--quick', 'small sizes: a whole run in well under two minutes')
      .option('--out <dir>', 'write results.json, report.md and chart.svg there')
      .option('--latency <ms>', 'latency the proxy adds to each request, e.g. 20ms')
      .option('--bandwidth <rate>', 'bandwidth cap of the proxy, each way, e.g. 100MB/s')
      .option('--workloads <list>', 'comma-separated workloads to run (default: all)')
      .option('--systems <list>', 'comma-separated systems to run (default: all)')
      .option('--parallel <n>', 'uploads in flight (chunkfs) and requests (raw store)', String(DEFAULT_PARALLEL))
      .option('--endpoint <url>', 'the http endpoint of STORE')
      .option('--passwd-file <file>', 'ACCESS:SECRET for STORE')
      .addHelpText('after', help)
      .action((store: string | undefined, flags: Omit<BenchCliOptions, 'store'>) => done(run({ ...flags, store })));
  },
};
