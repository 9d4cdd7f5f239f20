import type { HistoryEntry } from '../shared/protocol.js';
import { historyWindow, leftOutForBytes } from './history-window.js';
import { compareJobs, jobWithoutSecrets, type QueuedJob } from './queued-job.js';
import type {
  ClosingReport,
  HistoryRef,
  JobStore,
  RestartReason,
  RestoredJob,
  RestoredState,
  StoreReport,
} from './store/job-store.js';

export const MAXIMUM_HISTORY_SIZE = 10_000;

/** The entries one `GET /history` answer carries, and those of the asked range it leaves out for its byte cap. */
export interface HistoryAnswerPlan {
  /** In finish order. */
  readonly refs: readonly HistoryRef[];
  /** The oldest entries of the range that did not fit: ask again with `offset` = `nextOffset`, `max_items` = `leftOut`. */
  readonly leftOut: number;
  readonly nextOffset: number;
}

/**
 * A change the queue announces to its subscribers, once made in memory. `removed`, `paused` and `resumed` are
 * announced for every request to make them, even one that changed nothing (clients hear the queue's state after
 * each), but not for a request the store refused.
 */
export type QueueChange = 'added' | 'started' | 'finished' | 'requeued' | 'removed' | 'paused' | 'resumed';

/** The pending and running jobs, in the order they run. */
export interface QueueSnapshot {
  readonly running: readonly QueuedJob[];
  readonly pending: readonly QueuedJob[];
}

/** Which pending jobs a `POST /queue` removes: all of them, or these prompt ids (clear first when both). */
export interface PendingRemoval {
  readonly clear?: boolean | undefined;
  readonly delete?: readonly string[] | undefined;
}

/**
 * The prompt queue and history. Every change is written to the job store (SQLite) synchronously, and before it is
 * made in memory, except a job's start and end, written just after the engine or the clients have heard of them (in
 * the same turn of the event loop, so no reader sees the two differ). An accepted job is on disk before
 * `POST /prompt` answers, and the hand-over of a finished job from running to history is atomic for every reader
 * (`GET /queue`, `GET /history`) and on disk.
 * History lives in the store (which keeps in memory only the entries the disk refused); memory holds the pending and
 * running jobs.
 */
export class PromptQueue {
  private counter: number;
  private readonly pending: RestoredJob[] = [];
  /** The running jobs, in the order they started (one at a time locally; one per free worker in a cluster). */
  private readonly running = new Map<string, RestoredJob>();
  private pausedState: boolean;
  private readonly listeners = new Set<(change: QueueChange) => void>();

  constructor(
    private readonly store: JobStore,
    restored: RestoredState,
    private readonly maxHistory = MAXIMUM_HISTORY_SIZE,
  ) {
    this.counter = restored.counter;
    this.pausedState = restored.paused;
    for (const job of restored.pending) this.insertSorted(job);
    // Jobs the process died under twice end here, as failed runs (kept in memory if the disk refuses them).
    for (const failed of restored.failed) this.store.finished(failed.job.promptId, failed.entry, maxHistory);
  }

  /**
   * Calls `listener` after each change, synchronously, in the call that made it (so what it sends goes out in order
   * with what the caller sends next). A listener must not throw. Returns the unsubscribe function.
   */
  subscribe(listener: (change: QueueChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private announce(change: QueueChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** Whether jobs wait instead of starting (kept across restarts). */
  get paused(): boolean {
    return this.pausedState;
  }

  /** Pauses or resumes the queue: on disk (when it changes), then announced. A store fault throws, changing nothing. */
  setPaused(paused: boolean): void {
    if (paused !== this.pausedState) this.store.setPaused(paused);
    this.pausedState = paused;
    this.announce(paused ? 'paused' : 'resumed');
  }

  /** The priority number for a new job: explicit, or the next counter value (negated for `front`). */
  assignNumber(explicit: number | undefined, front: boolean | undefined): number {
    if (explicit !== undefined) return explicit;
    const number = front ? -this.counter : this.counter;
    this.counter += 1;
    return number;
  }

  /**
   * Accepts a job: committed to disk (its `extra_data` without secrets), then queued in memory and announced, then
   * `whileFlushing` runs (the server may start the job there) while nothing waits but the disk flush; durable when
   * this returns. A failed commit throws with nothing queued; a failed flush throws after queueing it.
   */
  put(job: QueuedJob, whileFlushing?: () => void): void {
    this.store.queued(jobWithoutSecrets(job), this.counter, () => {
      this.insertSorted({ job, restarts: 0, lastRestart: undefined });
      this.announce('added');
      whileFlushing?.();
    });
  }

  /**
   * `put` with the disk flush left to the caller: committed and queued (announced) when this returns; durable once
   * the returned function has run (it throws as `put` does when the flush fails).
   */
  putUnflushed(job: QueuedJob): () => void {
    const flush = this.store.queuedUnflushed(jobWithoutSecrets(job), this.counter);
    this.insertSorted({ job, restarts: 0, lastRestart: undefined });
    this.announce('added');
    return flush;
  }

  private insertSorted(entry: RestoredJob): void {
    let index = this.pending.findIndex((other) => compareJobs(entry.job, other.job) < 0);
    if (index < 0) index = this.pending.length;
    this.pending.splice(index, 0, entry);
  }

  /**
   * Moves the first pending job that `eligible` accepts (any, by default) to running: in memory (announced), then
   * `start` (which hands it to the engine), then on disk, so the job does not wait for the write. If the write fails
   * the job still runs, and this throws.
   */
  take(start?: (job: QueuedJob) => void, eligible?: (job: QueuedJob) => boolean): QueuedJob | undefined {
    const index = eligible ? this.pending.findIndex((entry) => eligible(entry.job)) : 0;
    const next = index < 0 ? undefined : this.pending[index];
    if (!next) return undefined;
    this.pending.splice(index, 1);
    this.running.set(next.job.promptId, next);
    this.announce('started');
    start?.(next.job);
    this.store.started(next.job.promptId);
    return next.job;
  }

  /** The pending or running job with this prompt id. */
  find(promptId: string): QueuedJob | undefined {
    return this.running.get(promptId)?.job ?? this.pending.find((entry) => entry.job.promptId === promptId)?.job;
  }

  /** The running jobs, in the order they started. */
  get runningJobs(): QueuedJob[] {
    return [...this.running.values()].map((entry) => entry.job);
  }

  /** The running job that started first: on one machine, the one. */
  get current(): QueuedJob | undefined {
    return this.running.values().next().value?.job;
  }

  isRunning(promptId: string): boolean {
    return this.running.has(promptId);
  }

  /** How often a running job was started before and put back, and why the last time. */
  restartsOf(promptId: string): { restarts: number; lastRestart: RestartReason | undefined } {
    const entry = this.running.get(promptId);
    return { restarts: entry?.restarts ?? 0, lastRestart: entry?.lastRestart };
  }

  /** A running job's node `node` started (recorded cheaply, for a job that kills the process). */
  nodeStarted(promptId: string, node: string): void {
    if (this.running.has(promptId)) this.store.nodeStarted(promptId, node);
  }

  /** Running → pending again (the server is stopping before the job could finish). */
  requeueRunning(promptId: string, reason: RestartReason): void {
    const entry = this.running.get(promptId);
    if (!entry) return;
    this.store.requeued(promptId, reason);
    this.running.delete(promptId);
    this.insertSorted({ job: entry.job, restarts: entry.restarts + 1, lastRestart: reason });
    this.announce('requeued');
  }

  /**
   * Running → history. The job leaves the queue in memory (announced), `next` runs (the server tells its client and
   * hands the engine its next job), then the history entry is committed: all in one turn of the event loop, so every
   * reader still sees the job either running or in history, and the disk write delays neither the client hearing
   * the end nor the next job. If the store refuses the write, it keeps the entry in memory (served with the rest of
   * history) and writes it once it can; on disk the job is still queued until then.
   */
  complete(promptId: string, entry: HistoryEntry, next?: () => void): void {
    this.running.delete(promptId);
    try {
      this.announce('finished');
      next?.();
    } finally {
      this.store.finished(promptId, entry, this.maxHistory);
    }
  }

  get remaining(): number {
    return this.pending.length + this.running.size;
  }

  snapshot(): QueueSnapshot {
    return {
      running: this.runningJobs,
      pending: this.pending.map((entry) => entry.job),
    };
  }

  /**
   * Removes pending jobs, on disk then in memory, and announces it; returns how many went. A store fault throws:
   * what it refused is still queued, and nothing is announced.
   */
  removePending(removal: PendingRemoval): number {
    let removed = 0;
    if (removal.clear) removed += this.clearPending();
    if (removal.delete) removed += this.deletePending(removal.delete);
    this.announce('removed');
    return removed;
  }

  private deletePending(promptIds: readonly string[]): number {
    const doomed = new Set(promptIds);
    this.store.removePending(promptIds);
    const before = this.pending.length;
    for (let index = this.pending.length - 1; index >= 0; index--) {
      if (doomed.has(this.pending[index]!.job.promptId)) this.pending.splice(index, 1);
    }
    return before - this.pending.length;
  }

  private clearPending(): number {
    this.store.clearPending();
    const removed = this.pending.length;
    this.pending.length = 0;
    return removed;
  }

  /**
   * The entries of a `GET /history` answer: the range `maxItems`/`offset` name (see `historyWindow`), less its
   * oldest entries beyond `capBytes` of answer (always at least one entry is kept).
   */
  historyAnswer(maxItems: number | undefined, offset: number | undefined, capBytes: number): HistoryAnswerPlan {
    const { from, count } = historyWindow(this.store.historyCount(), maxItems, offset);
    const refs = count > 0 ? this.store.historyRefs(from, count) : [];
    const leftOut = leftOutForBytes(refs, capBytes);
    return { refs: refs.slice(leftOut), leftOut, nextOffset: from };
  }

  /** The stored JSON texts of these entries (consecutive ones from `historyAnswer`), in order. */
  historyTexts(refs: readonly HistoryRef[]): { promptId: string; text: string }[] {
    return this.store.historyTexts(refs);
  }

  /** One history entry's stored JSON text. */
  historyText(promptId: string): string | undefined {
    return this.store.historyText(promptId);
  }

  deleteHistory(promptIds: readonly string[]): void {
    this.store.removeHistory(promptIds);
  }

  clearHistory(): void {
    this.store.clearHistory();
  }

  /** The job store's health (faults, entries waiting for the disk, a salvage at start). */
  get storeReport(): StoreReport {
    return this.store.report();
  }

  /** What the job store left on disk when it closed (undefined while it is open). */
  get storeClosedWith(): ClosingReport | undefined {
    return this.store.closedWith;
  }
}
