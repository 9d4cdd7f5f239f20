import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PromptQueue } from '../../server/prompt-queue.js';
import { DataFolderInUseError, JobStore, JobStoreFlushError } from '../../server/store/job-store.js';
import type { HistoryEntry, QueueItem } from '../../shared/protocol.js';

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
function start(maxHistory?: number): { store: JobStore; queue: PromptQueue } {
  const { store, restored } = JobStore.open(dbPath);
  open.push(store);
  return { store, queue: new PromptQueue(store, restored, maxHistory) };
}

/** What a process that died leaves behind: the database as it is (closing only releases the file lock). */
function die(store: JobStore): void {
  store.close();
  open.splice(open.indexOf(store), 1);
}

function job(queue: PromptQueue, id: string, extra: QueueItem[3] = {}): QueueItem {
  return [queue.assignNumber(undefined, undefined), id, { '1': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } } }, extra, ['1']];
}

function entry(item: QueueItem, status: 'success' | 'error' = 'success'): HistoryEntry {
  return { prompt: item, outputs: {}, status: { status_str: status, completed: status === 'success', messages: [] }, meta: {} };
}

describe('JobStore + PromptQueue across restarts', () => {
  it('restores pending jobs in order, and the running one as restarted after a crash', () => {
    const first = start();
    for (const id of ['a', 'b', 'c']) first.queue.put(job(first.queue, id));
    expect(first.queue.take()![1]).toBe('a');
    die(first.store);

    const second = start();
    expect(second.queue.snapshot().queue_pending.map((item) => item[1])).toEqual(['a', 'b', 'c']);
    expect(second.queue.take()![1]).toBe('a');
    expect(second.queue.currentRestarts).toEqual({ restarts: 1, lastRestart: 'crash' });
    second.queue.complete('a', entry(second.queue.current!));
    expect(second.queue.take()![1]).toBe('b');
    expect(second.queue.currentRestarts.restarts).toBe(0);
    die(second.store);

    // b died too: its count goes up, a stays in history, c is still pending.
    const third = start();
    expect(third.queue.snapshot().queue_pending.map((item) => item[1])).toEqual(['b', 'c']);
    expect(Object.keys(third.queue.getHistory())).toEqual(['a']);
    third.queue.take();
    expect(third.queue.currentRestarts).toEqual({ restarts: 1, lastRestart: 'crash' });
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
    first.queue.take((item) => seen.push({ id: item[1], running: first.queue.current?.[1], pendingOnDisk: !recorded }));
    expect(seen).toEqual([{ id: 'a', running: 'a', pendingOnDisk: true }]);
    expect(recorded).toBe(true);
    die(first.store);
    const second = start();
    second.queue.take();
    expect(second.queue.currentRestarts).toEqual({ restarts: 1, lastRestart: 'crash' });
  });

  it('runs a job whose start cannot be recorded, says so, and keeps it pending on disk', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a'));
    first.store.started = () => {
      throw new Error('disk full');
    };
    const started: string[] = [];
    expect(() => first.queue.take((item) => started.push(item[1]))).toThrow('disk full');
    expect(started).toEqual(['a']);
    expect(first.queue.current?.[1]).toBe('a');
    die(first.store);
    const second = start();
    expect(second.queue.take()![1]).toBe('a');
    expect(second.queue.currentRestarts.restarts).toBe(0);
  });

  it('announces a finished job before committing its history, in the same call', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a'));
    first.queue.put(job(first.queue, 'b'));
    const a = first.queue.take()!;
    const seen: { running: string | undefined; inHistory: boolean }[] = [];
    first.queue.complete('a', entry(a), () => {
      seen.push({ running: first.queue.current?.[1], inHistory: first.store.historyEntry('a') !== undefined });
      first.queue.take();
    });
    expect(seen).toEqual([{ running: undefined, inHistory: false }]);
    expect(first.queue.getHistoryEntry('a')).toBeDefined();
    expect(first.queue.current?.[1]).toBe('b');
  });

  it('throws when the end of a job cannot be committed, after announcing it; the job runs again after a restart', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a'));
    const a = first.queue.take()!;
    first.store.finished = () => {
      throw new Error('disk full');
    };
    let announced = false;
    expect(() => first.queue.complete('a', entry(a), () => (announced = true))).toThrow('disk full');
    expect(announced).toBe(true);
    expect(first.queue.current).toBeUndefined();
    die(first.store);
    const second = start();
    expect(second.queue.take()![1]).toBe('a');
    expect(second.queue.currentRestarts).toEqual({ restarts: 1, lastRestart: 'crash' });
  });

  it('flushes every change to disk before returning, and lets an accepted job start between commit and flush', () => {
    const events: string[] = [];
    const { store, restored } = JobStore.open(dbPath, { syncDescriptor: () => events.push('flush') });
    open.push(store);
    const queue = new PromptQueue(store, restored);
    events.length = 0;
    queue.put(job(queue, 'a'), () => {
      // Committed already: the row is in the database (a second read of it through SQLite sees it).
      events.push(`start ${queue.snapshot().queue_pending.map((item) => item[1]).join()}`);
      queue.take((item) => events.push(`engine ${item[1]}`));
    });
    // The start is recorded (and flushed) inside, then the acceptance's own flush.
    expect(events).toEqual(['start a', 'engine a', 'flush', 'flush']);
    events.length = 0;
    queue.complete('a', entry(queue.current!));
    queue.paused = true;
    expect(events).toEqual(['flush', 'flush']);
    die(store);
    const second = start();
    expect(second.queue.getHistoryEntry('a')).toBeDefined();
    expect(second.queue.paused).toBe(true);
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
    expect(queue.snapshot().queue_pending.map((item) => item[1])).toEqual(['a']);
    die(store);
    expect(start().queue.snapshot().queue_pending.map((item) => item[1])).toEqual(['a']);
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
    expect(fresh[0]).toBe(2);
    second.queue.put(fresh);
    // 'a-new' sorts before 'old-*' by id, so only the number keeps it behind them.
    expect(second.queue.snapshot().queue_pending.map((item) => item[1])).toEqual(['old-1', 'old-2', 'a-new']);
  });

  it('puts a job interrupted by shutdown back as pending, marked for the history', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a'));
    first.queue.put(job(first.queue, 'b'));
    first.queue.take();
    first.queue.requeueRunning('shutdown');
    expect(first.queue.current).toBeUndefined();
    expect(first.queue.snapshot().queue_pending.map((item) => item[1])).toEqual(['a', 'b']);
    die(first.store);
    const second = start();
    expect(second.queue.take()![1]).toBe('a');
    expect(second.queue.currentRestarts).toEqual({ restarts: 1, lastRestart: 'shutdown' });
  });

  it('stores history durably, capped, with deletes and clears, and the pause state', () => {
    const first = start(3);
    for (const id of ['a', 'b', 'c', 'd']) {
      first.queue.put(job(first.queue, id));
      first.queue.take();
      first.queue.complete(id, entry(first.queue.current!, id === 'c' ? 'error' : 'success'));
    }
    first.queue.paused = true;
    die(first.store);
    const second = start(3);
    expect(Object.keys(second.queue.getHistory())).toEqual(['b', 'c', 'd']);
    expect(second.queue.getHistoryEntry('c')!.status.status_str).toBe('error');
    expect(second.queue.paused).toBe(true);
    expect(second.queue.remaining).toBe(0);
    second.queue.deleteHistory(['c']);
    second.queue.paused = false;
    die(second.store);
    const third = start(3);
    expect(Object.keys(third.queue.getHistory())).toEqual(['b', 'd']);
    expect(third.queue.paused).toBe(false);
    third.queue.clearHistory();
    expect(third.queue.getHistory()).toEqual({});
  });

  it('forgets deleted and cleared pending jobs on disk too', () => {
    const first = start();
    for (const id of ['a', 'b', 'c', 'd']) first.queue.put(job(first.queue, id));
    first.queue.deletePending(['b']);
    die(first.store);
    const second = start();
    expect(second.queue.snapshot().queue_pending.map((item) => item[1])).toEqual(['a', 'c', 'd']);
    second.queue.clearPending();
    die(second.store);
    expect(start().queue.remaining).toBe(0);
  });

  it('never writes secrets from extra_data to disk, but the running job keeps them in memory', () => {
    const first = start();
    first.queue.put(job(first.queue, 'a', { client_id: 'me', api_key_comfy_org: 'secret-key' }));
    expect(first.queue.snapshot().queue_pending[0]![3]).toEqual({ client_id: 'me', api_key_comfy_org: 'secret-key' });
    die(first.store);
    expect(start().queue.snapshot().queue_pending[0]![3]).toEqual({ client_id: 'me' });
  });

  it('names the file when the database cannot be read', () => {
    mkdirSync(join(folder, 'data'), { recursive: true });
    writeFileSync(dbPath, 'this is not a database, but it is long enough to have a header that SQLite checks…'.repeat(20));
    expect(() => JobStore.open(dbPath)).toThrow(`cannot open the job database ${dbPath}: file is not a database`);
  });

  it('refuses a second server on the same data folder with a reason that names it', () => {
    start();
    expect(() => JobStore.open(dbPath)).toThrow(DataFolderInUseError);
    expect(() => JobStore.open(dbPath)).toThrow(/in use by another Inkgraph server/);
  });
});
