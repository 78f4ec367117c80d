import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

/** Makes a directory's entries (names created, renamed or removed in it) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes all of `data` at the handle's position in as few calls as the kernel allows:
 * FileHandle.writeFile goes in 512 KiB pieces, which showed in profiles of 4 MiB chunks.
 */
export async function writeWhole(fh: FileHandle, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length; ) at += (await fh.write(data, at, data.length - at)).bytesWritten;
}

/** Fills `buf` from the file at `position` on; returns fewer bytes than asked only at the file's end. */
export async function readAt(fh: FileHandle, buf: Buffer, position: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * The whole file, read into `alloc(size)` in as few calls as the kernel allows
 * (readFile goes in 512 KiB pieces). A file that shrinks meanwhile fails with EIO.
 */
export async function readWhole(path: string, alloc: (length: number) => Buffer): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = alloc((await fh.stat()).size);
    const got = await readAt(fh, buf, 0);
    if (got < buf.length) throw Object.assign(new Error(`${path} ended after ${got} of ${buf.length} bytes`), { code: 'EIO' });
    return buf;
  } finally {
    await fh.close();
  }
}
