import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { queueItemSchema, type HistoryEntry, type QueueItem } from '../../shared/protocol.js';

/** Why a job that had started was put back in the queue. */
export type RestartReason = 'crash' | 'shutdown';

/** A pending or running job: restored from disk, or accepted since. */
export interface RestoredJob {
  readonly item: QueueItem;
  /** How many times this job was started and then put back (0: never started). */
  readonly restarts: number;
  readonly lastRestart: RestartReason | undefined;
}

export interface RestoredState {
  /** Pending jobs, and the job that was running when the process stopped (now pending again, restarted). */
  readonly pending: readonly RestoredJob[];
  readonly counter: number;
  readonly paused: boolean;
  /** Rows that could not be read back (named by prompt id), left in the database untouched. */
  readonly unreadable: readonly string[];
}

export class DataFolderInUseError extends Error {
  constructor(readonly path: string) {
    super(`the data folder's database ${path} is in use by another Inkgraph server; give this one its own --data folder`);
  }
}

export interface JobStoreOptions {
  /** How a file descriptor is synced to disk (fsync); tests count or fail the flushes through it. */
  readonly syncDescriptor?: (fd: number) => void;
}

/** The job store committed a change but could not make it durable: the disk refused the flush. */
export class JobStoreFlushError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`the job database ${path} could not be flushed to disk: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'JobStoreFlushError';
  }
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS jobs (
    prompt_id TEXT PRIMARY KEY,
    number REAL NOT NULL,
    item TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running')),
    restarts INTEGER NOT NULL DEFAULT 0,
    last_restart TEXT,
    queued_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    prompt_id TEXT NOT NULL UNIQUE,
    entry TEXT NOT NULL,
    finished_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * The durable half of the queue: every accepted job, every queue change and every finished run's history entry,
 * in SQLite (better-sqlite3, WAL journal). Each method is one transaction, committed and flushed to disk before it
 * returns, so the change survives `kill -9` and power loss: the commit writes the WAL (synchronous=NORMAL) and the
 * store then fsyncs the WAL file itself, which is what synchronous=FULL does inside every commit. Doing it here lets
 * `queued` run its caller's code between the two: the engine starts the job while the disk flushes it.
 * The database is opened exclusively: a second server on the same data folder is refused instead of running the
 * same jobs twice.
 */
export class JobStore {
  private readonly db: Database.Database;
  private readonly statements;
  /** Our own descriptor of the WAL file, and its inode (reopened if SQLite ever replaced the file). */
  private wal: { fd: number; inode: number } | undefined;

  private constructor(
    readonly path: string,
    private readonly syncDescriptor: (fd: number) => void,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: 0 });
    try {
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      // Commits reach the WAL in the OS; `flush` syncs it (see the class comment). In memory there is nothing to sync.
      this.db.pragma(path === ':memory:' ? 'synchronous = FULL' : 'synchronous = NORMAL');
      this.db.exec(SCHEMA);
    } catch (error) {
      this.db.close();
      if (error instanceof Error && 'code' in error && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED')) throw new DataFolderInUseError(path);
      throw new Error(`cannot open the job database ${path}: ${error instanceof Error ? error.message : String(error)} (move the file away to start with an empty queue and history)`);
    }
    const db = this.db;
    this.statements = {
      insertJob: db.prepare<[string, number, string, number]>("INSERT OR REPLACE INTO jobs (prompt_id, number, item, state, queued_at) VALUES (?, ?, ?, 'pending', ?)"),
      setState: db.prepare<[string, string]>('UPDATE jobs SET state = ? WHERE prompt_id = ?'),
      requeue: db.prepare<[string, string]>("UPDATE jobs SET state = 'pending', restarts = restarts + 1, last_restart = ? WHERE prompt_id = ?"),
      requeueAllRunning: db.prepare<[string]>("UPDATE jobs SET state = 'pending', restarts = restarts + 1, last_restart = ? WHERE state = 'running'"),
      deleteJob: db.prepare<[string]>('DELETE FROM jobs WHERE prompt_id = ?'),
      deletePendingJob: db.prepare<[string]>("DELETE FROM jobs WHERE prompt_id = ? AND state = 'pending'"),
      deleteAllPending: db.prepare("DELETE FROM jobs WHERE state = 'pending'"),
      allJobs: db.prepare<[], { prompt_id: string; item: string; restarts: number; last_restart: string | null }>('SELECT prompt_id, item, restarts, last_restart FROM jobs'),
      deleteHistory: db.prepare<[string]>('DELETE FROM history WHERE prompt_id = ?'),
      insertHistory: db.prepare<[string, string, number]>('INSERT INTO history (prompt_id, entry, finished_at) VALUES (?, ?, ?)'),
      trimHistory: db.prepare<[number]>('DELETE FROM history WHERE seq IN (SELECT seq FROM history ORDER BY seq DESC LIMIT -1 OFFSET ?)'),
      clearHistory: db.prepare('DELETE FROM history'),
      historyCount: db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM history'),
      historyRange: db.prepare<[number, number], { prompt_id: string; entry: string }>('SELECT prompt_id, entry FROM history ORDER BY seq LIMIT ? OFFSET ?'),
      historyEntry: db.prepare<[string], { entry: string }>('SELECT entry FROM history WHERE prompt_id = ?'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
  }

  /** Opens (or creates) the store; the jobs that were running when the last process died become pending again. */
  static open(path: string, options: JobStoreOptions = {}): { store: JobStore; restored: RestoredState } {
    const store = new JobStore(path, options.syncDescriptor ?? fsyncSync);
    try {
      const restored = store.restore();
      // The WAL file exists from here on: its name in the folder is made durable once, as FULL's first sync would.
      if (path !== ':memory:') syncFolder(dirname(path));
      return { store, restored };
    } catch (error) {
      store.close();
      throw error;
    }
  }

  private restore(): RestoredState {
    this.write(() => this.statements.requeueAllRunning.run('crash'));
    const pending: RestoredJob[] = [];
    const unreadable: string[] = [];
    for (const row of this.statements.allJobs.all()) {
      const item = parseJson(row.item, (value) => queueItemSchema.safeParse(value));
      if (!item) {
        unreadable.push(row.prompt_id);
        continue;
      }
      pending.push({ item, restarts: row.restarts, lastRestart: row.last_restart === 'crash' || row.last_restart === 'shutdown' ? row.last_restart : undefined });
    }
    const counter = Number(this.statements.getMeta.get('counter')?.value ?? '0');
    return { pending, counter: Number.isFinite(counter) ? counter : 0, paused: this.statements.getMeta.get('paused')?.value === 'true', unreadable };
  }

  /**
   * One transaction, then `beforeFlush` (if any), then the flush: durable when this returns. A failed commit
   * throws with nothing changed; a failed flush throws a `JobStoreFlushError` (the change is committed, in SQLite's
   * WAL, but the disk did not confirm it).
   */
  private write(change: () => void, beforeFlush?: () => void): void {
    this.db.transaction(change)();
    try {
      beforeFlush?.();
    } finally {
      this.flush();
    }
  }

  /** fsync of the WAL file (where every commit goes in WAL mode), through our own descriptor of it. */
  private flush(): void {
    if (this.path === ':memory:') return;
    const walPath = `${this.path}-wal`;
    try {
      let inode: number;
      try {
        inode = statSync(walPath).ino;
      } catch {
        // No WAL file (SQLite keeps one while the database is open, so this should not happen): sync the database.
        syncFile(this.path);
        return;
      }
      if (this.wal && this.wal.inode !== inode) {
        closeSync(this.wal.fd);
        this.wal = undefined;
      }
      if (!this.wal) {
        const fd = openSync(walPath, 'r');
        this.wal = { fd, inode: fstatSync(fd).ino };
      }
      this.syncDescriptor(this.wal.fd);
    } catch (error) {
      throw new JobStoreFlushError(this.path, error);
    }
  }

  /**
   * A job was accepted (`counter` is the queue's next number, kept so numbers keep growing across restarts).
   * `whileFlushing` runs once the job is committed, before the flush that makes it durable: the queue hands the job
   * to the engine there, so its run does not wait for the disk.
   */
  queued(item: QueueItem, counter: number, whileFlushing?: () => void): void {
    this.write(() => {
      this.statements.insertJob.run(item[1], item[0], JSON.stringify(item), Date.now());
      this.statements.setMeta.run('counter', String(counter));
    }, whileFlushing);
  }

  started(promptId: string): void {
    this.write(() => this.statements.setState.run('running', promptId));
  }

  /** A started job goes back to pending (the server is shutting down before it could finish). */
  requeued(promptId: string, reason: RestartReason): void {
    this.write(() => this.statements.requeue.run(reason, promptId));
  }

  /** The job leaves the queue and its history entry is written, in one transaction. */
  finished(promptId: string, entry: HistoryEntry, maxHistory: number): void {
    this.write(() => {
      this.statements.deleteJob.run(promptId);
      this.statements.deleteHistory.run(promptId);
      this.statements.insertHistory.run(promptId, JSON.stringify(entry), Date.now());
      this.statements.trimHistory.run(maxHistory);
    });
  }

  removePending(promptIds: readonly string[]): void {
    this.write(() => {
      for (const id of promptIds) this.statements.deletePendingJob.run(id);
    });
  }

  clearPending(): void {
    this.write(() => this.statements.deleteAllPending.run());
  }

  setPaused(paused: boolean): void {
    this.write(() => this.statements.setMeta.run('paused', String(paused)));
  }

  historyCount(): number {
    return this.statements.historyCount.get()?.count ?? 0;
  }

  /** History entries in the order they finished, `limit` of them from `offset`. */
  historyRange(offset: number, limit: number): [string, HistoryEntry][] {
    return this.statements.historyRange.all(limit, offset).map((row) => [row.prompt_id, JSON.parse(row.entry) as HistoryEntry]);
  }

  historyEntry(promptId: string): HistoryEntry | undefined {
    const row = this.statements.historyEntry.get(promptId);
    return row ? (JSON.parse(row.entry) as HistoryEntry) : undefined;
  }

  removeHistory(promptIds: readonly string[]): void {
    this.write(() => {
      for (const id of promptIds) this.statements.deleteHistory.run(id);
    });
  }

  clearHistory(): void {
    this.write(() => this.statements.clearHistory.run());
  }

  close(): void {
    if (this.db.open) this.db.close();
    if (this.wal) closeSync(this.wal.fd);
    this.wal = undefined;
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync of a folder, so the files created in it stay there after a power cut (Windows has no such call). */
function syncFolder(path: string): void {
  if (process.platform === 'win32') return;
  syncFile(path);
}

function parseJson<T>(text: string, check: (value: unknown) => { success: true; data: T } | { success: false }): T | undefined {
  try {
    const result = check(JSON.parse(text) as unknown);
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
