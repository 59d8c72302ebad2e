// The file store when the disk fills up, for real: a 256 KiB tmpfs (needs root and mount; the
// test is skipped, saying so, where it cannot mount). A revocation that cannot be written is an
// error to its caller, the half-written line it leaves is skipped by every reader, and once
// space is back the next revocations reach the writer's readers (a long-lived reading process
// and a fresh one).
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createFileRevocationStore, isStartGuardError } from 'start-guard';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');

function mountTmpfs() {
  const dir = mkdtempSync(join(tmpdir(), 'start-guard-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

/** A long-lived reading process: answers isRevoked(id) over IPC. */
function startReader(file) {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const store = require(${JSON.stringify(root)}).createFileRevocationStore({ path: ${JSON.stringify(file)} });
       process.on('message', async (id) => process.send(await store.isRevoked({ id, userId: 'u', createdAtMs: Date.now() })));`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  // Settles on the answer, or fails if the reader dies first (never hangs the run).
  const ask = (id) =>
    new Promise((resolve, reject) => {
      const died = (code) => reject(new Error(`the reading process ended (${code}) before answering`));
      child.once('exit', died);
      child.once('message', (answer) => {
        child.off('exit', died);
        resolve(answer);
      });
      child.send(id, (err) => err && reject(err));
    });
  child.on('error', () => {});
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill();
    });
  return { ask, stop };
}

// The lines below assume 4 KiB pages (x86-64); elsewhere the test says why it skips.
const pageSize = Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout.trim());

test(
  'disk full: the failed revocation is an error, its torn line is skipped, later ones arrive',
  { timeout: 60_000 },
  async (t) => {
    if (pageSize !== 4096) return t.skip(`page size ${pageSize}, not 4096`);
    const mnt = mountTmpfs();
    if (mnt === null) return t.skip('cannot mount a tmpfs here (needs root)');
    // However the test ends, the mount goes (lazily, if something still holds it open).
    const unmount = () => spawnSync('umount', ['-l', mnt]);
    process.once('exit', unmount);
    t.after(() => {
      unmount();
      rmSync(mnt, { recursive: true, force: true });
    });
    const file = join(mnt, 'revocations');
    const far = Math.floor(Date.now() / 1000) + 3600;
    const writer = createFileRevocationStore({ path: file });
    const reader = startReader(file);
    // umount -l detaches the mount even while these still hold files open, whatever the order.
    t.after(() => writer.close());
    t.after(() => reader.stop());
    {
      await writer.revoke('A', far);
      assert.equal(await reader.ask('A'), true);
      // Bring the log to 20 bytes short of a page boundary, so the next line crosses into a page
      // the full disk cannot give.
      const overhead = statSync(file).size - 1;
      let n = 0;
      for (;;) {
        const room = 4096 - (statSync(file).size % 4096);
        if (room === 20) break;
        const len = room - overhead - 20 >= 1 ? room - overhead - 20 : 40;
        await writer.revoke(`pad${n++}`.padEnd(len, 'p').slice(0, len), far);
      }
      // Fill the file system.
      const filler = join(mnt, 'filler');
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        assert.equal(err.code, 'ENOSPC');
      } finally {
        closeSync(fd);
      }
      const before = statSync(file).size;
      await assert.rejects(writer.revoke('B'.repeat(60), far), (e) =>
        isStartGuardError(e, 'ERR_STORE_UNAVAILABLE'),
      );
      // The first 20 bytes of the line did reach the file: a torn line, as after a crash.
      assert.equal(statSync(file).size, before + 20);
      assert.equal(await reader.ask('B'.repeat(60)), false);
      rmSync(filler);
      await writer.revoke('C', far);
      await writer.revoke('D', far);
      assert.equal(await reader.ask('C'), true);
      assert.equal(await reader.ask('D'), true);
      assert.equal(await reader.ask('A'), true);
      const fresh = startReader(file);
      try {
        assert.deepEqual(
          [await fresh.ask('A'), await fresh.ask('B'.repeat(60)), await fresh.ask('C'), await fresh.ask('D')],
          [true, false, true, true],
        );
      } finally {
        await fresh.stop();
      }
    }
  },
);
