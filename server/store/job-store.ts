import { closeSync, fstatSync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { HistoryEntry } from '../../shared/protocol.js';
import { toQueueItem, type QueuedJob } from '../queued-job.js';
import { syncFile, syncFolder } from './file-sync.js';
import { openDatabase } from './open-database.js';
import { salvage, type SalvageReport } from './salvage.js';
import { migrateSchema } from './schema.js';
import { interpretJobRows, type FailedJob, type JobRow, type RestartReason, type RestoredJob } from './restore-rows.js';
import { DEATHS_BEFORE_FAILING } from './stopped-twice.js';
import { errorCode, faultKind, JobStoreFaultError, type StoreFault } from './store-faults.js';
import { storeReport, type ClosingReport, type StoreReport } from './store-report.js';
import { UnsavedHistory, type UnsavedEnd } from './unsaved-history.js';

export { DataFolderInUseError } from './open-database.js';
export type { FailedJob, RestartReason, RestoredJob } from './restore-rows.js';
export { JobStoreFaultError } from './store-faults.js';
export type { ClosingReport, StoreReport } from './store-report.js';

export interface RestoredState {
  /** Pending jobs, and the job that was running when the process stopped (now pending again, restarted). */
  readonly pending: readonly RestoredJob[];
  readonly failed: readonly FailedJob[];
  readonly counter: number;
  readonly paused: boolean;
  /** Rows that could not be read back (named by prompt id), left in the database untouched. */
  readonly unreadable: readonly string[];
}

export interface JobStoreOptions {
  /** How a file descriptor is synced to disk (fsync); tests count or fail the flushes through it. */
  readonly syncDescriptor?: (fd: number) => void;
  /** Runs inside every transaction before its change; tests throw SQLite's own errors from it (disk full, say). */
  readonly beforeCommit?: () => void;
  /** How often history entries that wait for the disk are written again (default 5 s). */
  readonly retryMs?: number;
  /** Where the store says what went wrong with its file, and what it did about it. */
  readonly log?: (line: string) => void;
}

/** The job store committed a change but could not make it durable: the disk refused the flush. */
export class JobStoreFlushError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(
      `the job database ${path} could not be flushed to disk: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'JobStoreFlushError';
  }
}

/** One history entry's place and size, for answers bounded in bytes. */
export interface HistoryRef {
  readonly promptId: string;
  /** The entry's JSON text's length in UTF-8 bytes. */
  readonly bytes: number;
  /** Its row in the history table; undefined while it waits in memory for the disk. */
  readonly seq: number | undefined;
}

const DEFAULT_RETRY_MS = 5000;

/**
 * The durable half of the queue: every accepted job, every queue change and every finished run's history entry,
 * in SQLite (better-sqlite3, WAL journal). Each method is one transaction, committed and flushed to disk before it
 * returns, so the change survives `kill -9` and power loss: the commit writes the WAL (synchronous=NORMAL) and the
 * store then fsyncs the WAL file itself, which is what synchronous=FULL does inside every commit. Doing it here lets
 * `queued` run its caller's code between the two: the engine starts the job while the disk flushes it.
 * A damaged file is salvaged at open (see `salvage`). When the disk refuses a finished job's end (full, say), the
 * entry stays in memory, is served with the rest, and is written again before later writes and on a timer.
 */
export class JobStore {
  private readonly db: Database.Database;
  private readonly statements;
  /** Our own descriptor of the WAL file, and its inode (reopened if SQLite ever replaced the file). */
  private wal: { fd: number; inode: number } | undefined;
  private readonly unsaved = new UnsavedHistory();
  private retryTimer: NodeJS.Timeout | undefined;
  /** The last fault a read or write met; cleared by the next commit that works (a damaged file stays damaged). */
  private fault: StoreFault | undefined;
  private closing: ClosingReport | undefined;
  private readonly syncDescriptor: (fd: number) => void;
  private readonly beforeCommit: (() => void) | undefined;
  private readonly retryMs: number;
  private readonly log: (line: string) => void;

  private constructor(
    readonly path: string,
    options: JobStoreOptions,
    /** What was salvaged from a damaged file at open. */
    readonly salvaged: SalvageReport | undefined,
    db: Database.Database,
  ) {
    this.syncDescriptor = options.syncDescriptor ?? fsyncSync;
    this.beforeCommit = options.beforeCommit;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.log = options.log ?? ((line) => console.log(line));
    this.db = db;
    this.statements = {
      insertJob: db.prepare<[string, number, string, number]>(
        "INSERT OR REPLACE INTO jobs (prompt_id, number, item, state, queued_at) VALUES (?, ?, ?, 'pending', ?)",
      ),
      setState: db.prepare<[string, string]>('UPDATE jobs SET state = ? WHERE prompt_id = ?'),
      setRunningNode: db.prepare<[string, string]>('UPDATE jobs SET running_node = ? WHERE prompt_id = ?'),
      requeue: db.prepare<[string, string]>(
        "UPDATE jobs SET state = 'pending', restarts = restarts + 1, last_restart = ? WHERE prompt_id = ?",
      ),
      // A row still marked running at start is a job the process died under: a death, unlike a shutdown's requeue.
      requeueDied: db.prepare(
        "UPDATE jobs SET state = 'pending', restarts = ifnull(restarts, 0) + 1, deaths = ifnull(deaths, 0) + 1, last_restart = 'crash' WHERE state = 'running'",
      ),
      deleteJob: db.prepare<[string]>('DELETE FROM jobs WHERE prompt_id = ?'),
      deletePendingJob: db.prepare<[string]>("DELETE FROM jobs WHERE prompt_id = ? AND state = 'pending'"),
      deleteAllPending: db.prepare("DELETE FROM jobs WHERE state = 'pending'"),
      allJobs: db.prepare<[], JobRow>(
        'SELECT prompt_id, item, state, restarts, last_restart, deaths, running_node FROM jobs',
      ),
      jobCount: db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM jobs'),
      deleteHistory: db.prepare<[string]>('DELETE FROM history WHERE prompt_id = ?'),
      insertHistory: db.prepare<[string, string, number]>(
        'INSERT INTO history (prompt_id, entry, finished_at) VALUES (?, ?, ?)',
      ),
      trimHistory: db.prepare<[number]>(
        'DELETE FROM history WHERE seq IN (SELECT seq FROM history ORDER BY seq DESC LIMIT -1 OFFSET ?)',
      ),
      clearHistory: db.prepare('DELETE FROM history'),
      historyCount: db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM history'),
      // octet_length reads the size from the record header: the entry's text (maybe megabytes) is not loaded.
      historyRefs: db.prepare<[number, number], { seq: number; prompt_id: string; bytes: number }>(
        'SELECT seq, prompt_id, octet_length(entry) AS bytes FROM history ORDER BY seq LIMIT ? OFFSET ?',
      ),
      historyTexts: db.prepare<[number, number], { seq: number; prompt_id: string; entry: string }>(
        'SELECT seq, prompt_id, entry FROM history WHERE seq >= ? AND seq <= ? ORDER BY seq',
      ),
      historyEntry: db.prepare<[string], { entry: string }>('SELECT entry FROM history WHERE prompt_id = ?'),
      getMeta: db.prepare<[string], { value: unknown }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
  }

  /**
   * Opens (or creates) the store: a damaged file is salvaged first, an older schema migrated; the jobs that were
   * running when the last process died become pending again, or failed if it was their second death.
   */
  static open(path: string, options: JobStoreOptions = {}): { store: JobStore; restored: RestoredState } {
    let { db, damage } = openDatabase(path);
    let salvaged: SalvageReport | undefined;
    if (damage !== undefined) {
      try {
        salvaged = salvage(db, path, damage);
      } catch (error) {
        throw new Error(
          `the job database ${path} is damaged (${damage}) and could not be salvaged: ${messageOf(error)} (move the file away to start with an empty queue and history)`,
        );
      }
      ({ db, damage } = openDatabase(path));
      if (damage !== undefined) {
        db.close();
        throw new Error(`cannot open the job database ${path}: still damaged after salvage (${damage})`);
      }
    }
    try {
      migrateSchema(db);
    } catch (error) {
      db.close();
      throw new Error(
        `cannot open the job database ${path}: ${messageOf(error)} (move the file away to start with an empty queue and history)`,
      );
    }
    const store = new JobStore(path, options, salvaged, db);
    if (salvaged) {
      store.log(
        `the job database ${path} was damaged (${salvaged.damage}): ${salvaged.jobs} job(s) and ${salvaged.history} history entr${salvaged.history === 1 ? 'y' : 'ies'} ` +
          `were salvaged into a fresh file${salvaged.dropped > 0 ? ` (${salvaged.dropped} unusable row(s) dropped)` : ''}; the damaged file is now ${salvaged.movedAside}`,
      );
    }
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

  /** Reads the queue back. Nothing here throws on a row it cannot use or a write the disk refuses. */
  private restore(): RestoredState {
    let rows: JobRow[] = [];
    try {
      rows = this.read(() => this.statements.allJobs.all());
    } catch (error) {
      this.log(`the queue could not be read from the job database: ${messageOf(error)}; starting with an empty queue`);
    }
    try {
      this.write(() => this.statements.requeueDied.run());
    } catch (error) {
      // The rows stay marked running: the next start counts this death then.
      this.log(`could not record which jobs were running when the last process stopped: ${messageOf(error)}`);
    }
    const { pending, failed, unreadable } = interpretJobRows(rows, Date.now());
    for (const { job, node } of failed) {
      this.log(
        `job ${job.promptId} was running each of the last ${DEATHS_BEFORE_FAILING} times the server stopped${node ? ` (node #${node} had started)` : ''}: it is marked failed and not run again`,
      );
    }
    return {
      pending,
      failed,
      counter: this.metaNumber('counter'),
      paused: this.metaText('paused') === 'true',
      unreadable,
    };
  }

  private metaText(key: string): string | undefined {
    try {
      const value = this.read(() => this.statements.getMeta.get(key))?.value;
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private metaNumber(key: string): number {
    const value = Number(this.metaText(key) ?? '0');
    return Number.isFinite(value) ? value : 0;
  }

  /** One transaction; a fault from SQLite is recorded and thrown as a `JobStoreFaultError`, with nothing changed. */
  private commit(change: () => void): void {
    try {
      this.db.transaction(() => {
        this.beforeCommit?.();
        change();
      })();
    } catch (error) {
      throw this.faultFrom(error);
    }
    if (this.fault && this.fault.kind !== 'corrupt') {
      this.log(`the job store takes writes again (it had: ${this.fault.code}: ${this.fault.message})`);
      this.fault = undefined;
    }
  }

  /** A read; a fault from SQLite is recorded and thrown as a `JobStoreFaultError`. */
  private read<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw this.faultFrom(error);
    }
  }

  /** SQLite's errors become faults (recorded, logged once per kind); anything else is thrown as it is. */
  private faultFrom(error: unknown): unknown {
    if (!(error instanceof Database.SqliteError)) return error;
    return new JobStoreFaultError(this.noteFault(error.code, error.message), this.path);
  }

  private noteFault(code: string, message: string): StoreFault {
    const kind = faultKind(code);
    if (this.fault?.kind !== kind) {
      this.fault = { kind, code, message, since: Date.now() };
      this.log(
        `${new JobStoreFaultError(this.fault, this.path).message}${kind === 'corrupt' ? '' : '; answering 503 to what needs it until it works again'}`,
      );
    }
    return this.fault;
  }

  /**
   * History entries waiting for the disk first (in order), then one transaction, then `beforeFlush` (if any), then
   * the flush: durable when this returns. A failed commit throws with nothing changed (a `JobStoreFaultError` when
   * SQLite refused it); a failed flush throws a `JobStoreFlushError` (the change is committed, in SQLite's WAL, but
   * the disk did not confirm it).
   */
  private write(change: () => void, beforeFlush?: () => void): void {
    this.retryUnsaved();
    this.commit(change);
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
      this.noteFault(errorCode(error) ?? 'EIO', messageOf(error));
      throw new JobStoreFlushError(this.path, error);
    }
  }

  /**
   * A job was accepted, written as given (the queue leaves its secrets out); `counter` is the queue's next number,
   * kept so numbers keep growing across restarts.
   * `whileFlushing` runs once the job is committed, before the flush that makes it durable: the queue hands the job
   * to the engine there, so its run does not wait for the disk.
   */
  queued(job: QueuedJob, counter: number, whileFlushing?: () => void): void {
    const flush = this.queuedUnflushed(job, counter);
    try {
      whileFlushing?.();
    } finally {
      flush();
    }
  }

  /** `queued`'s commit, with the flush that makes it durable left to the caller (who must call it). */
  queuedUnflushed(job: QueuedJob, counter: number): () => void {
    this.retryUnsaved();
    this.commit(() => {
      this.statements.insertJob.run(job.promptId, job.number, JSON.stringify(toQueueItem(job)), Date.now());
      this.statements.setMeta.run('counter', String(counter));
    });
    this.unsaved.rowReplaced(job.promptId);
    return () => this.flush();
  }

  /**
   * A job started. Committed without its own flush, as `nodeStarted` is: it only counts restarts of a job that kills
   * the process, and a commit survives `kill -9`; a power cut before the next flush loses only the count, and the job
   * re-runs. The flush would otherwise hold the turn in which a cluster coordinator hands the job to Redis.
   */
  started(promptId: string): void {
    this.retryUnsaved();
    this.commit(() => this.statements.setState.run('running', promptId));
  }

  /**
   * The running job's node that started last, so a job that kills the process can be reported by node. Committed
   * without a flush: it matters only if the process dies, and the row (with its prompt) is rewritten per node. Returns whether it was written; a refusal is only recorded as the store's fault.
   */
  nodeStarted(promptId: string, node: string): boolean {
    try {
      this.commit(() => this.statements.setRunningNode.run(node, promptId));
      return true;
    } catch (error) {
      if (error instanceof JobStoreFaultError) return false;
      throw error;
    }
  }

  /** A started job goes back to pending (the server is shutting down before it could finish). */
  requeued(promptId: string, reason: RestartReason): void {
    this.write(() => this.statements.requeue.run(reason, promptId));
  }

  /**
   * The job leaves the queue and its history entry is written, in one transaction. If the disk refuses it (full,
   * damaged, read-only), the entry is kept in memory and served with the rest of history, written again before
   * every later write and every `retryMs`; on disk the job stays queued until then. A failed flush is logged.
   */
  finished(promptId: string, entry: HistoryEntry, maxHistory: number): void {
    const end: UnsavedEnd = { promptId, text: JSON.stringify(entry), deleteJob: true, maxHistory };
    // Ends are written in order, so one cannot overtake those still waiting.
    if (!this.retryUnsaved()) return this.keepUnsaved(end);
    try {
      this.commit(() => this.writeEnd(end));
    } catch (error) {
      if (!(error instanceof JobStoreFaultError)) throw error;
      return this.keepUnsaved(end);
    }
    this.flushOrSay(`the history entry of job ${promptId}`);
  }

  private writeEnd(end: UnsavedEnd): void {
    if (end.deleteJob) this.statements.deleteJob.run(end.promptId);
    if (end.text === undefined) return;
    this.statements.deleteHistory.run(end.promptId);
    this.statements.insertHistory.run(end.promptId, end.text, Date.now());
    this.statements.trimHistory.run(end.maxHistory);
  }

  private keepUnsaved(end: UnsavedEnd): void {
    this.unsaved.add(end);
    this.log(
      `job ${end.promptId} finished, but the job store refused its history entry (${this.fault ? `${this.fault.code}: ${this.fault.message}` : 'unknown fault'}): ` +
        `it is served from memory and written again every ${this.retryMs / 1000} s (${this.unsaved.size} waiting)`,
    );
    if (!this.retryTimer) {
      this.retryTimer = setInterval(() => {
        try {
          this.retryUnsaved();
        } catch (error) {
          this.log(`could not write the history entries that wait for the disk: ${messageOf(error)}`);
        }
      }, this.retryMs);
      this.retryTimer.unref();
    }
  }

  /** Writes the ends that wait for the disk, oldest first, until one is refused. True when none is left. */
  private retryUnsaved(): boolean {
    let written = 0;
    for (let end = this.unsaved.first; end; end = this.unsaved.first) {
      try {
        this.commit(() => this.writeEnd(end));
      } catch (error) {
        if (error instanceof JobStoreFaultError) break;
        throw error;
      }
      this.unsaved.shift();
      written += 1;
    }
    if (written > 0) this.flushOrSay(`${written} history entr${written === 1 ? 'y' : 'ies'} that waited for the disk`);
    if (this.unsaved.size > 0) return false;
    if (this.retryTimer) {
      clearInterval(this.retryTimer);
      this.retryTimer = undefined;
      this.log(`every history entry that waited for the disk is written (${written} now)`);
    }
    return true;
  }

  private flushOrSay(what: string): void {
    try {
      this.flush();
    } catch (error) {
      this.log(`${what} is committed, but ${messageOf(error)}: it may not survive a power cut`);
    }
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

  /** Entries in history: on disk, then those waiting in memory (all newer). */
  historyCount(): number {
    return this.read(() => this.statements.historyCount.get()?.count ?? 0) + this.unsaved.visible.length;
  }

  /** Where and how big the history entries are, in the order they finished, `limit` of them from `offset`. */
  historyRefs(offset: number, limit: number): HistoryRef[] {
    const stored = this.read(() => this.statements.historyRefs.all(limit, offset)).map((row) => ({
      promptId: row.prompt_id,
      bytes: row.bytes,
      seq: row.seq,
    }));
    const left = limit - stored.length;
    if (left <= 0) return stored;
    const storedTotal = this.read(() => this.statements.historyCount.get()?.count ?? 0);
    const from = Math.max(0, offset - storedTotal);
    const waiting = this.unsaved.visible
      .slice(from, from + left)
      .map((end) => ({ promptId: end.promptId, bytes: Buffer.byteLength(end.text), seq: undefined }));
    return [...stored, ...waiting];
  }

  /**
   * The JSON texts of these entries (consecutive refs from `historyRefs`), in order; one deleted since is left out.
   * Texts are returned as stored: answers are written from them without parsing.
   */
  historyTexts(refs: readonly HistoryRef[]): { promptId: string; text: string }[] {
    const seqs = refs.flatMap((ref) => (ref.seq === undefined ? [] : [ref.seq]));
    const wanted = new Set(seqs);
    const rows =
      seqs.length === 0 ? [] : this.read(() => this.statements.historyTexts.all(Math.min(...seqs), Math.max(...seqs)));
    const texts = rows
      .filter((row) => wanted.has(row.seq))
      .map((row) => ({ promptId: row.prompt_id, text: row.entry }));
    for (const ref of refs) {
      if (ref.seq !== undefined) continue;
      // Written since the refs were taken, it is the newest row now: still in its place at the end.
      const text =
        this.unsaved.text(ref.promptId) ?? this.read(() => this.statements.historyEntry.get(ref.promptId))?.entry;
      if (text !== undefined) texts.push({ promptId: ref.promptId, text });
    }
    return texts;
  }

  /** One entry's JSON text, waiting in memory or stored. */
  historyText(promptId: string): string | undefined {
    return this.unsaved.text(promptId) ?? this.read(() => this.statements.historyEntry.get(promptId))?.entry;
  }

  removeHistory(promptIds: readonly string[]): void {
    this.write(() => {
      for (const id of promptIds) this.statements.deleteHistory.run(id);
    });
    this.unsaved.forget(promptIds);
  }

  clearHistory(): void {
    this.write(() => this.statements.clearHistory.run());
    this.unsaved.forget('all');
  }

  report(): StoreReport {
    return storeReport(
      this.path,
      this.fault,
      this.unsaved.visible.map((end) => end.promptId),
      this.salvaged,
    );
  }

  /** What was left on disk at close (undefined while open). */
  get closedWith(): ClosingReport | undefined {
    return this.closing;
  }

  close(): void {
    if (this.db.open) {
      // A last try for what waits on the disk, then count what the next start will find there.
      if (this.unsaved.size > 0) this.retryUnsaved();
      let jobsOnDisk: number | undefined;
      try {
        jobsOnDisk = this.read(() => this.statements.jobCount.get()?.count ?? 0);
      } catch {
        jobsOnDisk = undefined;
      }
      this.closing = { jobsOnDisk, unsaved: this.unsaved.size, fault: this.fault };
      this.db.close();
    }
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    if (this.wal) closeSync(this.wal.fd);
    this.wal = undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
