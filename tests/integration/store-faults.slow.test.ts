import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PromptQueue } from '../../server/prompt-queue.js';
import { JobStore, type StoreReport } from '../../server/store/job-store.js';
import type { HistoryEntry } from '../../shared/protocol.js';
import { copyFixtureModels } from '../helpers/diffusion.js';
import { makeTestEnv } from '../helpers/env.js';
import { anyOf, stringMatching } from '../helpers/matchers.js';
import { TestGates } from '../helpers/gates.js';
import { gatedJob, history, job, ProcessFleet, queue, queueIds, waitForHistory } from '../helpers/server-jobs.js';
import type { ServerFolders, ServerProcess } from '../helpers/server-process.js';
import { getJson, postJson } from '../helpers/server.js';

// Real `inkgraph serve` processes whose job store's disk fills up, whose file is damaged, or whose history holds
// entries too big to send at once.

const dirs = makeTestEnv('inkgraph-store-faults-');
// Jobs that must be running when the disk fills wait at a TestGate until the test releases them.
const gates = new TestGates(dirs.root);
const fleet = new ProcessFleet(gates);
const mounts: string[] = [];

beforeAll(() => copyFixtureModels(dirs.modelsDir));
afterEach(async () => {
  await fleet.stopAll();
  for (const mount of mounts.splice(0)) execFileSync('umount', ['-l', mount]);
});
afterAll(() => dirs.cleanup());

const freshFolders = (): ServerFolders => fleet.folders(dirs);
const start = (folders: ServerFolders): Promise<ServerProcess> => fleet.start(folders);

/** Fresh folders whose data folder is a 16 MB tmpfs of its own. */
function foldersOnTmpfs(): ServerFolders {
  const folders = freshFolders();
  mkdirSync(folders.dataDir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', folders.dataDir]);
  mounts.push(folders.dataDir);
  return folders;
}

async function storeReport(server: ServerProcess): Promise<StoreReport> {
  return ((await getJson(`${server.url}/system_stats`)).json as { store: StoreReport }).store;
}

/** A job store written as a server would, with `count` finished jobs whose entries carry `noteBytes` of text. */
function storeWithHistory(dataDir: string, count: number, noteBytes: number): string[] {
  const { store, restored } = JobStore.open(join(dataDir, 'inkgraph.sqlite'), {
    log: () => {},
    syncDescriptor: () => {},
  });
  const queue = new PromptQueue(store, restored);
  const ids = Array.from({ length: count }, (_, index) => `stored-${String(index).padStart(3, '0')}`);
  for (const id of ids) {
    const entry: HistoryEntry = {
      prompt: [queue.assignNumber(undefined, undefined), id, {}, { note: `${id} ${'x'.repeat(noteBytes)}` }, []],
      outputs: {},
      status: { status_str: 'success', completed: true, messages: [] },
      meta: {},
    };
    queue.complete(id, entry);
  }
  store.close();
  return ids;
}

const PAGE = 4096;

/** Overwrites three pages at `fraction` of the file, as a bad sector leaves them. */
function damagePages(path: string, fraction: number): void {
  const page = Math.floor((statSync(path).size / PAGE) * fraction);
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(3 * PAGE, 0xa5), 0, 3 * PAGE, page * PAGE);
  closeSync(fd);
}

/** Why a small tmpfs cannot be mounted here (not root, no mount), or undefined when it can. */
function tmpfsProblem(): string | undefined {
  if (process.platform !== 'linux') return 'tmpfs is Linux only';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'inkgraph-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe]);
    return undefined;
  } catch (error) {
    return `mount -t tmpfs failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Writes a file in `folder` until its disk refuses another byte. */
function fillDisk(folder: string): string {
  const filler = join(folder, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (const size of [1024 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

describe('the job store on a full disk', () => {
  const problem = tmpfsProblem();

  it.skipIf(problem !== undefined)(
    `finished jobs stay in /history, are reported, and are written once space returns${problem ? ` (skipped: ${problem})` : ''}`,
    async () => {
      const folders = foldersOnTmpfs();
      const server = await start(folders);
      const long = await queue(server, gatedJob(gates, 'full-long', 50));
      const short = [await queue(server, job('full-a', 2, 51)), await queue(server, job('full-b', 2, 52))];
      await gates.held('full-long');
      const filler = fillDisk(folders.dataDir);
      gates.release('full-long');

      // All three ran after the disk filled: none may leave the API.
      const entries = await waitForHistory(server, [long, ...short]);
      expect(Object.keys(entries)).toEqual([long, ...short]);
      for (const id of [long, ...short]) expect(entries[id]!.status.status_str).toBe('success');
      expect(await queueIds(server)).toEqual({ running: [], pending: [], paused: false });
      const full = await storeReport(server);
      expect(full).toMatchObject({
        state: 'full',
        fault: { kind: 'full', code: 'SQLITE_FULL' },
        unsaved_history: [long, ...short],
      });
      expect((await getJson(`${server.url}/history/${short[0]}`)).json).toEqual({ [short[0]!]: entries[short[0]!] });
      expect(server.log).toMatch(/finished, but the job store refused its history entry \(SQLITE_FULL/);
      // What must be written first is refused with the reason, and changes nothing.
      const pause = await postJson(`${server.url}/api/queue/pause`, {});
      expect(pause).toMatchObject({
        status: 503,
        json: { error: { type: 'job_store_unavailable', message: stringMatching(/disk is full/) } },
      });
      expect((await postJson(`${server.url}/prompt`, job('refused', 2, 53))).status).toBe(503);
      expect((await queueIds(server)).paused).toBe(false);

      rmSync(filler);
      // The store retries on its own timer and says so once everything that waited is written.
      await server.waitForOutput(/every history entry that waited for the disk is written/);
      expect(await storeReport(server)).toMatchObject({ state: 'ok', unsaved_history: [] });
      expect(await history(server)).toEqual(entries);
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(server.log).toMatch(/stopped; 0 job\(s\) wait on disk for the next start\n/);
    },
  );

  it.skipIf(problem !== undefined)(
    `a shutdown while the disk is full counts what is really on disk, and those jobs run again${problem ? ` (skipped: ${problem})` : ''}`,
    async () => {
      const folders = foldersOnTmpfs();
      const first = await start(folders);
      const long = await queue(first, gatedJob(gates, 'stop-long', 60));
      const short = [
        await queue(first, job('stop-a', 2, 61)),
        await queue(first, job('stop-b', 2, 62)),
        await queue(first, job('stop-c', 2, 63)),
      ];
      await gates.held('stop-long');
      const filler = fillDisk(folders.dataDir);
      gates.release('stop-long');
      await waitForHistory(first, [long, ...short]);
      expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(first.log).toMatch(
        /stopped; 4 job\(s\) wait on disk for the next start; 4 finished job\(s\) could not be written to history \(SQLITE_FULL: database or disk is full\): on disk they are still queued/,
      );

      rmSync(filler);
      const second = await start(folders);
      expect(second.log).toMatch(/4 jobs restored/);
      const entries = await waitForHistory(second, [long, ...short]);
      for (const id of [long, ...short]) expect(entries[id]!.status.status_str).toBe('success');
      expect((await storeReport(second)).state).toBe('ok');
    },
  );
});

describe('a damaged job store', () => {
  it('is salvaged at start: every readable row kept, the damaged file moved aside under the name the log gives', async () => {
    const folders = freshFolders();
    const ids = storeWithHistory(folders.dataDir, 300, 1000);
    const path = join(folders.dataDir, 'inkgraph.sqlite');
    damagePages(path, 0.5);
    const damaged = readFileSync(path);

    const server = await start(folders);
    const report = await storeReport(server);
    expect(report.salvaged).toMatchObject({
      moved_aside: stringMatching(/inkgraph\.sqlite\.damaged-/),
      history: anyOf(Number),
    });
    const movedAside = report.salvaged!.moved_aside;
    expect(server.log).toContain(`the damaged file is now ${movedAside}`);
    expect(readFileSync(movedAside).equals(damaged)).toBe(true);
    const response = await getJson(`${server.url}/history`);
    expect(response.status).toBe(200);
    const kept = Object.keys(response.json as Record<string, unknown>);
    expect(kept.length).toBe(report.salvaged!.history);
    expect(kept.length).toBeGreaterThanOrEqual(ids.length - 12);
    expect(kept).toEqual(ids.filter((id) => kept.includes(id)));
  });

  it('answers a fault found later as a JSON 503 with its reason, reports it, and is salvaged at the next start', async () => {
    const folders = freshFolders();
    // 3.6 MB: more than SQLite's page cache, so the server reads the damaged pages from the file.
    storeWithHistory(folders.dataDir, 300, 12_000);
    const first = await start(folders);
    damagePages(join(folders.dataDir, 'inkgraph.sqlite'), 0.1);
    const response = await getJson(`${first.url}/history`);
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({
      error: {
        type: 'job_store_unavailable',
        message: stringMatching(/is damaged \(restart the server.*SQLITE_CORRUPT/),
      },
    });
    expect(await storeReport(first)).toMatchObject({ state: 'corrupt', fault: { kind: 'corrupt' } });
    expect(first.log).toMatch(/is damaged/);
    await first.stop('SIGTERM');

    const second = await start(folders);
    expect((await storeReport(second)).salvaged).not.toBeNull();
    expect((await getJson(`${second.url}/history`)).status).toBe(200);
  });
});

describe('GET /history bounded in bytes', () => {
  it('answers the newest whole entries under 16 MiB, with headers to page back through the rest, without holding them all', async () => {
    const folders = freshFolders();
    // Eight entries of 6 MB: two fit in the default 16 MiB answer.
    const ids = storeWithHistory(folders.dataDir, 8, 6_000_000);
    const server = await start(folders);
    const before = peakRss(server.pid);
    const seen: string[] = [];
    let query = '';
    for (let page = 0; page < 8; page++) {
      const response = await fetch(`${server.url}/history${query}`);
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(16 * 1024 * 1024);
      const keys = Object.keys(JSON.parse(text) as Record<string, unknown>);
      seen.unshift(...keys);
      const leftOut = Number(response.headers.get('x-inkgraph-history-left-out'));
      if (leftOut === 0) break;
      expect(keys.length).toBe(2);
      query = `?offset=${response.headers.get('x-inkgraph-history-next-offset')}&max_items=${response.headers.get('x-inkgraph-history-next-max-items')}`;
    }
    expect(seen).toEqual(ids);
    // Only an answer's entries are held at a time: ~37 MB here (it grew by 266-420 MB answering 100 MB in one piece).
    expect(peakRss(server.pid) - before).toBeLessThan(96 * 1024 * 1024);

    // The editor's request: the newest that fit.
    const editor = await fetch(`${server.url}/history?max_items=100`);
    expect(Object.keys((await editor.json()) as Record<string, unknown>)).toEqual(ids.slice(-2));
    expect(editor.headers.get('x-inkgraph-history-left-out')).toBe('6');
    const one = await getJson(`${server.url}/history/${ids[0]}`);
    expect(Object.keys(one.json as Record<string, unknown>)).toEqual([ids[0]]);
  });
});

/** The process's peak resident memory (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) * 1024;
}
