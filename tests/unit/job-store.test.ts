import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PromptQueue } from '../../server/prompt-queue.js';
import Database from 'better-sqlite3';
import { closingSummary } from '../../server/store/closing-summary.js';
import {
  DataFolderInUseError,
  JobStore,
  JobStoreFaultError,
  JobStoreFlushError,
  type JobStoreOptions,
} from '../../server/store/job-store.js';
import { fromQueueItem, toQueueItem, type QueuedJob } from '../../server/queued-job.js';
import type { ExtraData, HistoryEntry, QueueItem } from '../../shared/protocol.js';
import { historyEntryOf, historyOf } from '../helpers/history.js';

let folder: string;
let dbPath: string;
const open: JobStore[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'inkgraph-store-'));
  dbPath = join(folder, 'data', 'inkgraph.sqlite');
});
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Opens the store as a starting server does: the queue restored from disk. */
function start(
  maxHistory?: number,
  options: JobStoreOptions = { log: () => {} },
): { store: JobStore; queue: PromptQueue } {
  const { store, restored } = JobStore.open(dbPath, options);
  open.push(store);
  return { store, queue: new PromptQueue(store, restored, maxHistory) };
}

/** What a process that died leaves behind: the database as it is (closing only releases the file lock). */
function die(store: JobStore): void {
  store.close();
  open.splice(open.indexOf(store), 1);
}

/** A disk that fills on demand: every commit fails as SQLite fails on a full disk while `full` is set. */
class FillableDisk {
  full = false;
  readonly lines: string[] = [];
  onLine: (line: string) => void = () => {};
  readonly options: JobStoreOptions = {
    beforeCommit: () => {
      if (this.full) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
    },
    log: (line) => {
      this.lines.push(line);
      this.onLine(line);
    },
  };
}

function job(queue: PromptQueue, id: string, extraData: ExtraData = {}): QueuedJob {
  return {
    number: queue.assignNumber(undefined, undefined),
    promptId: id,
    prompt: { '1': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } } },
    extraData,
    outputs: ['1'],
  };
}

function entry(queued: QueuedJob, status: 'success' | 'error' = 'success'): HistoryEntry {
  return {
    prompt: toQueueItem(queued),
    outputs: {},
    status: { status_str: status, completed: status === 'success', messages: [] },
    meta: {},
  };
}

describe('JobStore + PromptQueue across restarts', () => {
  it('restores pending jobs in order, and the running one as restarted after a crash', () => {
    const first = start();
    for (const id of ['a', 'b', 'c']) first.queue.put(job(first.queue, id));
    expect(first.queue.take()!.promptId).toBe('a');
    die(first.store);

    const second = start();
    expect(second.queue.snapshot().pending.map((queued) => queued.promptId)).toEqual(['a', 'b', 'c']);
    expect(second.queue.take()!.promptId).toBe('a');
    expect(second.queue.restartsOf(second.queue.current?.promptId ?? '')).toEqual({
      restarts: 1,
      lastRestart: 'crash',
    });
    second.queue.complete('a', entry(second.queue.current!));
    expect(second.queue.take()!.promptId).toBe('b');
    expect(second.queue.restartsOf(second.queue.current?.promptId ?? '').restarts).toBe(0);
    die(second.store);

    // b died too: its count goes up, a stays in history, c is still pending.
    const third = start();
    expect(third.queue.snapshot().pending.map((queued) => queued.promptId)).toEqual(['b', 'c']);
    expect(Object.keys(historyOf(third.queue))).toEqual(['a']);
    third.queue.take();
    expect(third.queue.restartsOf(third.queue.current?.promptId ?? '')).toEqual({ restarts: 1, lastRestart: 'crash' });
  });

  it('hands a job to its starter before recording the start, and records it right after', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a'));
    const seen: { id: string; running: string | undefined; pendingOnDisk: boolean }[] = [];
    const originalStarted = first.store.started.bind(first.store);
    let recorded = false;
    first.store.started = (promptId) => {
      recorded = true;
      originalStarted(promptId);
    };
    first.queue.take((queued) =>
      seen.push({ id: queued.promptId, running: first.queue.current?.promptId, pendingOnDisk: !recorded }),
    );
    expect(seen).toEqual([{ id: 'a', running: 'a', pendingOnDisk: true }]);
    expect(recorded).toBe(true);
    die(first.store);
    const second = start();
    second.queue.take();
    expect(second.queue.restartsOf(second.queue.current?.promptId ?? '')).toEqual({
      restarts: 1,
      lastRestart: 'crash',
    });
  });

  it('runs a job whose start cannot be recorded, says so, and keeps it pending on disk', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a'));
    first.store.started = () => {
      throw new Error('disk full');
    };
    const started: string[] = [];
    expect(() => first.queue.take((queued) => started.push(queued.promptId))).toThrow('disk full');
    expect(started).toEqual(['a']);
    expect(first.queue.current?.promptId).toBe('a');
    die(first.store);
    const second = start();
    expect(second.queue.take()!.promptId).toBe('a');
    expect(second.queue.restartsOf(second.queue.current?.promptId ?? '').restarts).toBe(0);
  });

  it('announces a finished job before committing its history, in the same call', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a'));
    first.queue.put(job(first.queue, 'b'));
    const a = first.queue.take()!;
    const seen: { running: string | undefined; inHistory: boolean }[] = [];
    first.queue.complete('a', entry(a), () => {
      seen.push({ running: first.queue.current?.promptId, inHistory: first.store.historyText('a') !== undefined });
      first.queue.take();
    });
    expect(seen).toEqual([{ running: undefined, inHistory: false }]);
    expect(historyEntryOf(first.queue, 'a')).toBeDefined();
    expect(first.queue.current?.promptId).toBe('b');
  });

  it('keeps a finished job in history when the disk refuses its end, and writes it before the next write', () => {
    const disk = new FillableDisk();
    const first = start(undefined, disk.options);
    first.queue.put(job(first.queue, 'a'));
    first.queue.put(job(first.queue, 'b'));
    const a = first.queue.take()!;
    disk.full = true;
    let announced = false;
    first.queue.complete('a', entry(a), () => (announced = true));
    expect(announced).toBe(true);
    // Neither queued nor lost: served from memory, and reported.
    expect(first.queue.current).toBeUndefined();
    expect(Object.keys(historyOf(first.queue))).toEqual(['a']);
    expect(historyEntryOf(first.queue, 'a')?.status.status_str).toBe('success');
    expect(first.queue.storeReport).toMatchObject({
      state: 'full',
      fault: { kind: 'full', code: 'SQLITE_FULL' },
      unsaved_history: ['a'],
    });
    expect(disk.lines.join('\n')).toMatch(/job a finished, but the job store refused its history entry \(SQLITE_FULL/);
    // The next end waits behind it, in order.
    expect(() => first.queue.take()).toThrow(JobStoreFaultError);
    first.queue.complete('b', entry(first.queue.current!));
    expect(Object.keys(historyOf(first.queue))).toEqual(['a', 'b']);
    expect(first.queue.storeReport.unsaved_history).toEqual(['a', 'b']);

    disk.full = false;
    first.queue.setPaused(true);
    expect(first.queue.storeReport).toMatchObject({ state: 'ok', fault: null, unsaved_history: [] });
    die(first.store);
    const second = start();
    expect(Object.keys(historyOf(second.queue))).toEqual(['a', 'b']);
    expect(second.queue.remaining).toBe(0);
    expect(second.queue.paused).toBe(true);
  });

  it('writes waiting history entries again on a timer, and says so', async () => {
    const disk = new FillableDisk();
    const written = new Promise<void>(
      (resolve) => (disk.onLine = (line) => line.startsWith('every history entry that waited') && resolve()),
    );
    const first = start(undefined, { ...disk.options, retryMs: 20 });
    first.queue.put(job(first.queue, 'a'));
    first.queue.take();
    disk.full = true;
    first.queue.complete('a', entry(first.queue.current!));
    expect(first.queue.storeReport.unsaved_history).toEqual(['a']);
    disk.full = false;
    await written;
    expect(first.queue.storeReport.unsaved_history).toEqual([]);
    die(first.store);
    expect(Object.keys(historyOf(start().queue))).toEqual(['a']);
  });

  it('counts at close what is really on disk, and what could not be written', () => {
    const disk = new FillableDisk();
    const first = start(undefined, disk.options);
    for (const id of ['a', 'b', 'c']) first.queue.put(job(first.queue, id));
    disk.full = true;
    // The start cannot be recorded either: the job runs (and ends) all the same.
    expect(() => first.queue.take((queued) => first.queue.complete(queued.promptId, entry(queued)))).toThrow(
      JobStoreFaultError,
    );
    die(first.store);
    const closed = first.store.closedWith;
    expect(closed).toMatchObject({ jobsOnDisk: 3, unsaved: 1, fault: { kind: 'full' } });
    expect(closingSummary(closed)).toMatch(
      /^stopped; 3 job\(s\) wait on disk for the next start; 1 finished job\(s\) could not be written to history \(SQLITE_FULL: database or disk is full\)/,
    );
    // On disk the job is still queued: it runs again.
    expect(
      start()
        .queue.snapshot()
        .pending.map((queued) => queued.promptId),
    ).toEqual(['a', 'b', 'c']);
  });

  it('flushes every change to disk before returning (a start is only committed), and lets an accepted job start between commit and flush', () => {
    const events: string[] = [];
    const { store, restored } = JobStore.open(dbPath, { syncDescriptor: () => events.push('flush') });
    open.push(store);
    const queue = new PromptQueue(store, restored);
    events.length = 0;
    queue.put(job(queue, 'a'), () => {
      // Committed already: the row is in the database (a second read of it through SQLite sees it).
      events.push(
        `start ${queue
          .snapshot()
          .pending.map((queued) => queued.promptId)
          .join()}`,
      );
      queue.take((queued) => events.push(`engine ${queued.promptId}`));
    });
    // The start is committed inside (its flush is the acceptance's, which comes next: one fsync covers the WAL).
    expect(events).toEqual(['start a', 'engine a', 'flush']);
    events.length = 0;
    queue.complete('a', entry(queue.current!));
    queue.setPaused(true);
    expect(events).toEqual(['flush', 'flush']);
    die(store);
    const second = start();
    expect(historyEntryOf(second.queue, 'a')).toBeDefined();
    expect(second.queue.paused).toBe(true);
  });

  it('putUnflushed queues and commits at once, and leaves the flush to the caller', () => {
    const events: string[] = [];
    const { store, restored } = JobStore.open(dbPath, { syncDescriptor: () => events.push('flush') });
    open.push(store);
    const queue = new PromptQueue(store, restored);
    events.length = 0;
    const flush = queue.putUnflushed(job(queue, 'a'));
    expect(queue.snapshot().pending.map((queued) => queued.promptId)).toEqual(['a']);
    expect(events).toEqual([]);
    flush();
    expect(events).toEqual(['flush']);
    die(store);
    expect(
      start()
        .queue.snapshot()
        .pending.map((queued) => queued.promptId),
    ).toEqual(['a']);
  });

  it('says so when the disk refuses a flush; the change is committed all the same', () => {
    let failing = false;
    const { store, restored } = JobStore.open(dbPath, {
      syncDescriptor: () => {
        if (failing) throw new Error('EIO: i/o error, fsync');
      },
    });
    open.push(store);
    const queue = new PromptQueue(store, restored);
    failing = true;
    let started = false;
    expect(() => queue.put(job(queue, 'a'), () => (started = true))).toThrow(JobStoreFlushError);
    expect(started).toBe(true);
    expect(queue.snapshot().pending.map((queued) => queued.promptId)).toEqual(['a']);
    die(store);
    expect(
      start()
        .queue.snapshot()
        .pending.map((queued) => queued.promptId),
    ).toEqual(['a']);
  });

  it('queues nothing when the commit itself fails', () => {
    const first = start();
    first.store.close();
    expect(() => first.queue.put(job(first.queue, 'a'), () => expect.unreachable())).toThrow(/not open/);
    expect(first.queue.remaining).toBe(0);
    open.splice(open.indexOf(first.store), 1);
  });

  it('keeps numbering after a restart, so new jobs queue behind restored ones', () => {
    const first = start();
    first.queue.put(job(first.queue, 'old-1'));
    first.queue.put(job(first.queue, 'old-2'));
    die(first.store);
    const second = start();
    const fresh = job(second.queue, 'a-new');
    expect(fresh.number).toBe(2);
    second.queue.put(fresh);
    // 'a-new' sorts before 'old-*' by id, so only the number keeps it behind them.
    expect(second.queue.snapshot().pending.map((queued) => queued.promptId)).toEqual(['old-1', 'old-2', 'a-new']);
  });

  it('puts a job interrupted by shutdown back as pending, marked for the history', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a'));
    first.queue.put(job(first.queue, 'b'));
    first.queue.take();
    first.queue.requeueRunning(first.queue.current?.promptId ?? '', 'shutdown');
    expect(first.queue.current).toBeUndefined();
    expect(first.queue.snapshot().pending.map((queued) => queued.promptId)).toEqual(['a', 'b']);
    die(first.store);
    const second = start();
    expect(second.queue.take()!.promptId).toBe('a');
    expect(second.queue.restartsOf(second.queue.current?.promptId ?? '')).toEqual({
      restarts: 1,
      lastRestart: 'shutdown',
    });
  });

  it('stores history durably, capped, with deletes and clears, and the pause state', () => {
    const first = start(3);
    for (const id of ['a', 'b', 'c', 'd']) {
      first.queue.put(job(first.queue, id));
      first.queue.take();
      first.queue.complete(id, entry(first.queue.current!, id === 'c' ? 'error' : 'success'));
    }
    first.queue.setPaused(true);
    die(first.store);
    const second = start(3);
    expect(Object.keys(historyOf(second.queue))).toEqual(['b', 'c', 'd']);
    expect(historyEntryOf(second.queue, 'c')!.status.status_str).toBe('error');
    expect(second.queue.paused).toBe(true);
    expect(second.queue.remaining).toBe(0);
    second.queue.deleteHistory(['c']);
    second.queue.setPaused(false);
    die(second.store);
    const third = start(3);
    expect(Object.keys(historyOf(third.queue))).toEqual(['b', 'd']);
    expect(third.queue.paused).toBe(false);
    third.queue.clearHistory();
    expect(historyOf(third.queue)).toEqual({});
  });

  it('forgets deleted and cleared pending jobs on disk too', () => {
    const first = start();
    for (const id of ['a', 'b', 'c', 'd']) first.queue.put(job(first.queue, id));
    first.queue.removePending({ delete: ['b'] });
    die(first.store);
    const second = start();
    expect(second.queue.snapshot().pending.map((queued) => queued.promptId)).toEqual(['a', 'c', 'd']);
    second.queue.removePending({ clear: true });
    die(second.store);
    expect(start().queue.remaining).toBe(0);
  });

  it('never writes secrets from extra_data to disk, but the running job keeps them in memory', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a', { client_id: 'me', api_key_comfy_org: 'secret-key' }));
    expect(first.queue.snapshot().pending[0]!.extraData).toEqual({ client_id: 'me', api_key_comfy_org: 'secret-key' });
    die(first.store);
    expect(start().queue.snapshot().pending[0]!.extraData).toEqual({ client_id: 'me' });
  });

  it('names the file when the database cannot be read', () => {
    mkdirSync(join(folder, 'data'), { recursive: true });
    writeFileSync(
      dbPath,
      'this is not a database, but it is long enough to have a header that SQLite checks…'.repeat(20),
    );
    expect(() => JobStore.open(dbPath)).toThrow(`cannot open the job database ${dbPath}: file is not a database`);
  });

  it('refuses a second server on the same data folder with a reason that names it', () => {
    start();
    expect(() => JobStore.open(dbPath)).toThrow(DataFolderInUseError);
    expect(() => JobStore.open(dbPath)).toThrow(/in use by another Inkgraph server/);
  });
});

describe('crash loops', () => {
  /** Starts, takes the first pending job and starts its node `node`, then dies: a crash under that job. */
  function dieRunning(node: string): void {
    const server = start();
    server.queue.take();
    server.queue.nodeStarted(server.queue.current!.promptId, node);
    die(server.store);
  }

  it('marks a job failed when the process died twice while it ran, naming the node, and never runs it again', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a'));
    first.queue.put(job(first.queue, 'b'));
    die(first.store);
    dieRunning('1');
    dieRunning('1');

    const third = start();
    expect(third.queue.snapshot().pending.map((queued) => queued.promptId)).toEqual(['b']);
    const failed = historyEntryOf(third.queue, 'a')!;
    expect(failed.status).toMatchObject({ status_str: 'error', completed: false });
    const error = failed.status.messages.find(([type]) => type === 'execution_error')?.[1];
    expect(error).toMatchObject({
      prompt_id: 'a',
      node_id: '1',
      node_type: 'ImageInvert',
      exception_message: 'the server stopped twice while running this job',
    });
    expect(failed.prompt[1]).toBe('a');
    die(third.store);
    const fourth = start();
    expect(fourth.queue.snapshot().pending.map((queued) => queued.promptId)).toEqual(['b']);
    expect(Object.keys(historyOf(fourth.queue))).toEqual(['a']);
  });

  it('does not count graceful shutdowns as deaths', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a'));
    die(first.store);
    for (let stop = 0; stop < 3; stop++) {
      const server = start();
      server.queue.take();
      server.queue.requeueRunning(server.queue.current?.promptId ?? '', 'shutdown');
      die(server.store);
    }
    dieRunning('1');
    const afterOneDeath = start();
    expect(afterOneDeath.queue.take()!.promptId).toBe('a');
    expect(afterOneDeath.queue.restartsOf(afterOneDeath.queue.current?.promptId ?? '')).toEqual({
      restarts: 4,
      lastRestart: 'crash',
    });
    die(afterOneDeath.store);
    // That start died under it too: the second death.
    const last = start();
    expect(last.queue.remaining).toBe(0);
    expect(historyEntryOf(last.queue, 'a')?.status.status_str).toBe('error');
  });

  it('comes up whatever the rows hold, leaving the ones it cannot use', () => {
    const first = start();
    first.queue.put(job(first.queue, 'good'));
    die(first.store);
    const raw = new Database(dbPath);
    const insert = raw.prepare(
      'INSERT INTO jobs (prompt_id, number, item, state, restarts, deaths, running_node, queued_at) VALUES (?, 1, ?, ?, ?, ?, ?, 0)',
    );
    insert.run('not-json', '{', 'running', 0, 0, null);
    insert.run('wrong-shape', '{"a":1}', 'pending', 0, 0, null);
    insert.run('other-id', JSON.stringify(toQueueItem(job(first.queue, 'elsewhere'))), 'pending', 0, 0, null);
    insert.run('odd-counts', JSON.stringify(toQueueItem(job(first.queue, 'odd-counts'))), 'running', 'many', -3, 42);
    insert.run(
      'gone-node',
      JSON.stringify(toQueueItem(job(first.queue, 'gone-node'))),
      'running',
      1,
      1,
      'no-such-node',
    );
    raw.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('counter', 'lots')").run();
    raw.close();
    const { store, restored } = JobStore.open(dbPath, { log: () => {} });
    open.push(store);
    expect([...restored.unreadable].sort()).toEqual(['not-json', 'other-id', 'wrong-shape']);
    expect(restored.pending.map((restoredJob) => [restoredJob.job.promptId, restoredJob.restarts])).toEqual([
      ['good', 0],
      ['odd-counts', 1],
    ]);
    expect(restored.failed.map((failedJob) => failedJob.job.promptId)).toEqual(['gone-node']);
    // A node the prompt does not have is not named.
    expect(restored.failed[0]!.entry.status.messages[1]![1]).toMatchObject({ node_id: '', node_type: '' });
    expect(restored.counter).toBe(0);
  });
});

/** The schema the first release wrote (before deaths and running_node). */
const FIRST_SCHEMA = `
  CREATE TABLE jobs (prompt_id TEXT PRIMARY KEY, number REAL NOT NULL, item TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running')), restarts INTEGER NOT NULL DEFAULT 0, last_restart TEXT,
    queued_at INTEGER NOT NULL);
  CREATE TABLE history (seq INTEGER PRIMARY KEY AUTOINCREMENT, prompt_id TEXT NOT NULL UNIQUE, entry TEXT NOT NULL,
    finished_at INTEGER NOT NULL);
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

describe('existing databases', () => {
  it('migrates a first-release database in place, keeping its queue and history', () => {
    mkdirSync(join(folder, 'data'), { recursive: true });
    const old = new Database(dbPath);
    old.pragma('journal_mode = WAL');
    old.exec(FIRST_SCHEMA);
    const running: QueueItem = [
      0,
      'was-running',
      { '1': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } } },
      {},
      ['1'],
    ];
    const done: QueueItem = [1, 'done', {}, {}, []];
    old
      .prepare(
        "INSERT INTO jobs (prompt_id, number, item, state, restarts, last_restart, queued_at) VALUES (?, 0, ?, 'running', 1, 'crash', 0)",
      )
      .run('was-running', JSON.stringify(running));
    old
      .prepare('INSERT INTO history (prompt_id, entry, finished_at) VALUES (?, ?, 0)')
      .run('done', JSON.stringify(entry(fromQueueItem(done))));
    old.prepare("INSERT INTO meta (key, value) VALUES ('counter', '2')").run();
    old.close();

    const first = start();
    expect(first.queue.take()!.promptId).toBe('was-running');
    expect(first.queue.restartsOf(first.queue.current?.promptId ?? '')).toEqual({ restarts: 2, lastRestart: 'crash' });
    expect(Object.keys(historyOf(first.queue))).toEqual(['done']);
    expect(job(first.queue, 'next').number).toBe(2);
    first.queue.nodeStarted('was-running', '1');
    die(first.store);
    const raw = new Database(dbPath);
    const columns = raw
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('jobs')")
      .all()
      .map((row) => row.name);
    raw.close();
    expect(columns).toEqual(expect.arrayContaining(['deaths', 'running_node']));
    // Its first death was counted in the migrated file, so this second one ends it.
    const second = start();
    expect(second.queue.remaining).toBe(0);
    expect(historyEntryOf(second.queue, 'was-running')?.status.messages[1]![1]).toMatchObject({
      node_id: '1',
      exception_message: 'the server stopped twice while running this job',
    });
  });
});

describe('damaged databases', () => {
  const PAGE = 4096;

  /** A store with three pending jobs and 300 finished ones, closed (its WAL checkpointed into the file). */
  function filledStore(entryBytes: number): void {
    const first = start(undefined, { log: () => {}, syncDescriptor: () => {} });
    for (const id of ['p1', 'p2', 'p3']) first.queue.put(job(first.queue, id));
    for (let index = 0; index < 300; index++) {
      const queued = job(first.queue, `h${String(index).padStart(3, '0')}`, { note: 'x'.repeat(entryBytes) });
      first.queue.complete(queued.promptId, entry(queued));
    }
    die(first.store);
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
  }

  it('salvages every readable row of a file with damaged middle pages, and moves the damaged file aside', () => {
    filledStore(1000);
    const bytes = readFileSync(dbPath);
    const pages = bytes.length / PAGE;
    expect(pages).toBeGreaterThan(60);
    // Three pages in the middle of the history overwritten, as a bad disk sector leaves them.
    const middle = Math.floor(pages / 2);
    bytes.fill(0xa5, middle * PAGE, (middle + 3) * PAGE);
    writeFileSync(dbPath, bytes);

    const lines: string[] = [];
    const { store, restored } = JobStore.open(dbPath, { log: (line) => lines.push(line) });
    open.push(store);
    const queue = new PromptQueue(store, restored);
    const report = queue.storeReport.salvaged!;
    expect(report.moved_aside).toMatch(/inkgraph\.sqlite\.damaged-/);
    expect(lines.join('\n')).toContain(`the damaged file is now ${report.moved_aside}`);
    expect(readFileSync(report.moved_aside).equals(bytes)).toBe(true);
    expect(queue.snapshot().pending.map((queued) => queued.promptId)).toEqual(['p1', 'p2', 'p3']);
    // Three pages held at most 12 of the entries; every other one is back, whole, in order.
    const history = Object.keys(historyOf(queue));
    expect(history.length).toBe(report.history);
    expect(history.length).toBeGreaterThanOrEqual(288);
    expect(history.length).toBeLessThan(300);
    expect(history).toEqual([...history].sort());
    expect(history[0]).toBe('h000');
    expect(history.at(-1)).toBe('h299');
    expect(queue.storeReport.state).toBe('ok');
    die(store);
    // The fresh file is sound: the next start finds nothing to salvage.
    expect(start().queue.storeReport.salvaged).toBeNull();
  });

  it('answers a fault met later with a reason, as a 503', () => {
    // 3.6 MB of history: more than SQLite's page cache (2 MB), so the first pages are read from the file again.
    filledStore(12_000);
    const { store, restored } = JobStore.open(dbPath, { log: () => {} });
    open.push(store);
    const queue = new PromptQueue(store, restored);
    // Damage under a running server, early in the history.
    const at = Math.floor(statSync(dbPath).size / PAGE / 10);
    const fd = openSync(dbPath, 'r+');
    writeSync(fd, Buffer.alloc(3 * PAGE, 0xa5), 0, 3 * PAGE, at * PAGE);
    closeSync(fd);
    let fault: unknown;
    try {
      historyOf(queue);
    } catch (error) {
      fault = error;
    }
    expect(fault).toBeInstanceOf(JobStoreFaultError);
    expect(fault).toMatchObject({ status: 503, fault: { kind: 'corrupt' } });
    expect(fault instanceof Error && fault.message).toMatch(/is damaged \(restart the server/);
    expect(queue.storeReport.state).toBe('corrupt');
    expect(queue.storeReport.fault?.code).toMatch(/^SQLITE_CORRUPT/);
  });
});
