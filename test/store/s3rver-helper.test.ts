import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startS3rver } from '../helpers/s3rver.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

test('stop() ends the server and removes its directory', async () => {
  const server = await startS3rver({ buckets: ['one', 'two'] });
  const res = await fetch(`${server.endpoint}/`);
  assert.ok(res.status > 0);
  assert.ok(existsSync(join(server.dir, 'one')) && existsSync(join(server.dir, 'two')));
  await server.stop();
  await server.stop();
  assert.equal(alive(server.pid), false);
  assert.equal(existsSync(server.dir), false);
  await assert.rejects(fetch(`${server.endpoint}/`));
});

test('the server dies with its parent, even when the parent is killed hard', async () => {
  const helper = pathToFileURL(join(import.meta.dirname, '../helpers/s3rver.js')).href;
  const script = `
    const { startS3rver } = await import(${JSON.stringify(helper)});
    const s = await startS3rver();
    process.stdout.write(JSON.stringify({ pid: s.pid, dir: s.dir }) + '\\n');
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString())));
  const { pid, dir } = JSON.parse(line) as { pid: number; dir: string };
  assert.equal(alive(pid), true);
  parent.kill('SIGKILL');
  assert.ok(await until(() => !alive(pid), 5000), 'the server exited');
  assert.ok(await until(() => !existsSync(dir), 2000), 'its directory is gone');
});
