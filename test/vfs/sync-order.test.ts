import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileData } from '../../src/chunker/types.js';
import type { Attr, AttrChanges, Metadata } from '../../src/metadata/types.js';
import { FileIo } from '../../src/vfs/file-io.js';

/*
 * The order of durability steps, seen from recording stand-ins for the two layers below:
 * the journal's names are synced before the metadata (so a synced truncate or unlink never
 * meets a journal entry it removed), and a writeback close syncs neither.
 */
const O_RDWR = 2;

function setup(writeback: boolean) {
  const calls: string[] = [];
  const attr: Attr = { ino: 7, kind: 'file', perm: 0o644, uid: 0, gid: 0, nlink: 1, size: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, rdev: 0 };
  const meta = {
    sync: () => void calls.push('meta.sync'),
    setattr: (_ino: number, c: AttrChanges) => {
      calls.push('meta.setattr');
      return { ...attr, ...c };
    },
    getattr: () => attr,
  } as unknown as Metadata;
  const data = {
    write: async () => void calls.push('data.write'),
    flush: async () => void calls.push('data.flush'),
    journal: async () => void calls.push('data.journal'),
    syncJournal: async () => void calls.push('data.syncJournal'),
  } as unknown as FileData;
  return { calls, attr, io: new FileIo(meta, data, writeback, () => 1000) };
}

/** A handle that has written one byte, with the calls so far forgotten. */
async function afterOneWrite(writeback: boolean) {
  const { calls, attr, io } = setup(writeback);
  const h = await io.open(attr, O_RDWR);
  await io.write(h.fh, 0, Buffer.from('x'));
  calls.length = 0;
  return { calls, io, fh: h.fh };
}

test('fsync: data uploaded, then the journal synced, then the metadata', async () => {
  const { calls, io, fh } = await afterOneWrite(true);
  await io.fsync(fh);
  assert.deepEqual(calls, ['data.flush', 'meta.setattr', 'data.syncJournal', 'meta.sync']);
});

test('close in writeback mode journals and commits the size without syncing anything', async () => {
  const { calls, io, fh } = await afterOneWrite(true);
  await io.flush(fh);
  assert.deepEqual(calls, ['data.journal', 'meta.setattr']);
});

test('close in the default mode uploads, then syncs the journal before the metadata', async () => {
  const { calls, io, fh } = await afterOneWrite(false);
  await io.release(fh);
  assert.deepEqual(calls, ['data.flush', 'meta.setattr', 'data.syncJournal', 'meta.sync']);
});
