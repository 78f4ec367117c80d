#!/usr/bin/env node
import { main } from '../src/cli/main.js';
import { EXIT_USAGE } from '../src/cli/exit.js';
import { quietSdkWarnings } from '../src/cli/warnings.js';

quietSdkWarnings();

/**
 * The mount(8) helper: `mount -t chunkfs STORE DIR -o OPTS` runs
 * `mount.chunkfs STORE DIR [-sfnv] [-o OPTS]`. STORE `chunkfs` (or `none`) names the
 * embedded default store. -f (fake) does nothing; -s, -n and -v are accepted.
 */
function translate(argv: string[]): string[] | null | 'fake' {
  const positional: string[] = [];
  const options: string[] = [];
  let fake = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-o') {
      const v = argv[++i];
      if (v === undefined) return null;
      options.push(v);
    } else if (a.startsWith('-o')) options.push(a.slice(2));
    else if (a === '-t') i++;
    else if (/^-[sfnv]+$/.test(a)) fake ||= a.includes('f');
    else if (a.startsWith('-')) return null;
    else positional.push(a);
  }
  if (positional.length !== 2) return null;
  if (fake) return 'fake';
  const [spec, dir] = positional as [string, string];
  const store = spec === 'chunkfs' || spec === 'none' ? [] : [spec];
  return ['mount', ...store, dir, ...options.flatMap((o) => ['-o', o])];
}

const args = translate(process.argv.slice(2));
if (args === null) {
  process.stderr.write('chunkfs: usage: mount.chunkfs STORE MOUNTPOINT [-o OPTIONS]\n');
  process.exit(EXIT_USAGE);
}
process.exit(args === 'fake' ? 0 : await main(args));
