import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { splitOptionList } from '../fuse/options.js';
import type { StoreOptions } from '../store/types.js';

/** The store flags every subcommand takes, as commander parses them. */
export interface StoreFlags {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  passwdFile?: string;
  profile?: string;
  /** `-o` lists, repeated or comma-separated. */
  o?: string[];
}

export const STORE_HELP = `
Store options (as flags, or as -o endpoint=URL,region=R,path_style,passwd_file=F,profile=P):
  --endpoint URL       an S3-compatible endpoint (default: AWS)
  --region R           the bucket's region
  --path-style         path-style requests (http://host/bucket/key), for most non-AWS servers
  --passwd-file F      an s3fs-style ACCESS:SECRET file (refused when others can read it)
  --profile P          a profile of ~/.aws/config and ~/.aws/credentials
Credentials otherwise come from the AWS SDK's chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
AWS_PROFILE, the shared files, or an instance role.`;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Adds `--endpoint` ... `--profile` and `-o` to a subcommand. */
export function addStoreFlags(cmd: Command, oHelp = 'store options, comma-separated (see below)'): Command {
  return cmd
    .addOption(new Option('--endpoint <url>', 'S3-compatible endpoint URL'))
    .addOption(new Option('--region <region>', 'S3 region'))
    .addOption(new Option('--path-style', 'path-style S3 requests'))
    .addOption(new Option('--passwd-file <file>', 's3fs-style ACCESS:SECRET file'))
    .addOption(new Option('--profile <name>', 'AWS shared-config profile'))
    .addOption(new Option('-o <options>', oHelp).argParser(collect));
}

const STORE_KEYS: Record<string, keyof StoreOptions> = {
  endpoint: 'endpoint',
  region: 'region',
  path_style: 'pathStyle',
  use_path_request_style: 'pathStyle',
  passwd_file: 'passwdFile',
  profile: 'profile',
};

/** Store options from `-o` items only: anything else is a UsageError naming it. */
export function parseStoreOptionList(lists: string[]): StoreOptions {
  const out: StoreOptions = {};
  for (const item of splitOptionList(lists)) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const field = STORE_KEYS[key];
    if (!field) throw new UsageError(`unknown option "${key}": only endpoint=, region=, path_style, passwd_file= and profile= apply here`);
    if (field === 'pathStyle') out.pathStyle = true;
    else if (eq < 0 || item.length === eq + 1) throw new UsageError(`option "${key}" needs a value (${key}=...)`);
    else (out as Record<string, unknown>)[field] = item.slice(eq + 1);
  }
  return out;
}

/** Flags win over `-o` values given alongside them. */
export function mergeStoreFlags(fromO: StoreOptions, flags: StoreFlags): StoreOptions {
  const out: StoreOptions = { ...fromO };
  if (flags.endpoint !== undefined) out.endpoint = flags.endpoint;
  if (flags.region !== undefined) out.region = flags.region;
  if (flags.pathStyle) out.pathStyle = true;
  if (flags.passwdFile !== undefined) out.passwdFile = flags.passwdFile;
  if (flags.profile !== undefined) out.profile = flags.profile;
  return out;
}

/** Store options as `-o` items (to hand them on to a daemon). */
export function storeOptionItems(o: StoreOptions): string[] {
  const items: string[] = [];
  if (o.endpoint) items.push(`endpoint=${o.endpoint}`);
  if (o.region) items.push(`region=${o.region}`);
  if (o.pathStyle) items.push('path_style');
  if (o.passwdFile) items.push(`passwd_file=${o.passwdFile}`);
  if (o.profile) items.push(`profile=${o.profile}`);
  return items.map((i) => i.replace(/,/g, '\\,'));
}

/** A short retry budget for one-shot commands: a dead endpoint fails in seconds, not a minute. */
export const CLI_RETRY = { attempts: 3, baseDelayMs: 200, maxElapsedMs: 5000 };
