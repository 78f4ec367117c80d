import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Reads an s3fs-style password file: lines `ACCESS:SECRET` or `bucket:ACCESS:SECRET`
 * (blank lines and `#` comments ignored). The line for `bucket` wins over a line without a
 * bucket. As s3fs does, the file is refused when group or others have any permission on it.
 * Errors name the file and the line, never its contents.
 */
export async function readPasswdFile(path: string, bucket: string): Promise<StaticCredentials> {
  let mode: number;
  let text: string;
  try {
    mode = (await stat(path)).mode;
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UsageError(`cannot read the password file ${path}: ${code}`, { cause: err });
  }
  if ((mode & 0o077) !== 0) {
    throw new UsageError(
      `the password file ${path} is accessible by group or others (mode ${(mode & 0o777).toString(8)}); ` +
        `run: chmod 600 ${path}`,
    );
  }
  return pickCredentials(path, text, bucket);
}

function pickCredentials(path: string, text: string, bucket: string): StaticCredentials {
  let fallback: StaticCredentials | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    if ((fields.length !== 2 && fields.length !== 3) || fields.some((f) => f === '')) {
      throw new UsageError(
        `the password file ${path}, line ${i + 1}, is not ACCESS_KEY:SECRET_KEY or bucket:ACCESS_KEY:SECRET_KEY`,
      );
    }
    if (fields.length === 3) {
      if (fields[0] === bucket) return { accessKeyId: fields[1]!, secretAccessKey: fields[2]! };
    } else {
      fallback ??= { accessKeyId: fields[0]!, secretAccessKey: fields[1]! };
    }
  }
  if (!fallback) {
    throw new UsageError(`the password file ${path} has no ACCESS_KEY:SECRET_KEY line for bucket ${bucket}`);
  }
  return fallback;
}
