import type { ExtraData, HistoryEntry, QueueItem } from '../shared/protocol.js';
import { historyWindow, leftOutForBytes } from './history-window.js';
import type {
  ClosingReport,
  HistoryRef,
  JobStore,
  RestartReason,
  RestoredJob,
  RestoredState,
  StoreReport,
} from './store/job-store.js';

/** Keys of `extra_data` that never reach history (ComfyUI's SENSITIVE_EXTRA_DATA_KEYS). */
export const SENSITIVE_EXTRA_DATA_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org'] as const;

export function withoutSecrets(extraData: ExtraData): ExtraData {
  const copy: ExtraData = { ...extraData };
  for (const key of SENSITIVE_EXTRA_DATA_KEYS) delete copy[key];
  return copy;
}

export const MAXIMUM_HISTORY_SIZE = 10_000;

/** The entries one `GET /history` answer carries, and those of the asked range it leaves out for its byte cap. */
export interface HistoryAnswerPlan {
  /** In finish order. */
  readonly refs: readonly HistoryRef[];
  /** The oldest entries of the range that did not fit: ask again with `offset` = `nextOffset`, `max_items` = `leftOut`. */
  readonly leftOut: number;
  readonly nextOffset: number;
}

/** Orders queue items as ComfyUI's heap does: smallest number first, ties by prompt id. */
export function compareQueueItems(a: QueueItem, b: QueueItem): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
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
  private running: RestoredJob | undefined;
  private pausedState: boolean;

  constructor(
    private readonly store: JobStore,
    restored: RestoredState,
    private readonly maxHistory = MAXIMUM_HISTORY_SIZE,
  ) {
    this.counter = restored.counter;
    this.pausedState = restored.paused;
    for (const job of restored.pending) this.insertSorted(job);
    // Jobs the process died under twice end here, as failed runs (kept in memory if the disk refuses them).
    for (const job of restored.failed) this.store.finished(job.item[1], job.entry, maxHistory);
  }

  /** Whether jobs wait instead of starting (kept across restarts). */
  get paused(): boolean {
    return this.pausedState;
  }

  set paused(paused: boolean) {
    if (paused !== this.pausedState) this.store.setPaused(paused);
    this.pausedState = paused;
  }

  /** The priority number for a new item: explicit, or the next counter value (negated for `front`). */
  assignNumber(explicit: number | undefined, front: boolean | undefined): number {
    if (explicit !== undefined) return explicit;
    const number = front ? -this.counter : this.counter;
    this.counter += 1;
    return number;
  }

  /**
   * Accepts a job: committed to disk (its `extra_data` without secrets), then queued in memory, then
   * `whileFlushing` runs (the server may start the job there) while nothing waits but the disk flush; durable when
   * this returns. A failed commit throws with nothing queued; a failed flush throws after queueing it.
   */
  put(item: QueueItem, whileFlushing?: () => void): void {
    this.store.queued([item[0], item[1], item[2], withoutSecrets(item[3]), item[4]], this.counter, () => {
      this.insertSorted({ item, restarts: 0, lastRestart: undefined });
      whileFlushing?.();
    });
  }

  private insertSorted(job: RestoredJob): void {
    let index = this.pending.findIndex((other) => compareQueueItems(job.item, other.item) < 0);
    if (index < 0) index = this.pending.length;
    this.pending.splice(index, 0, job);
  }

  /**
   * Moves the first pending item to running: in memory, then `start` (which hands it to the engine), then on disk,
   * so the job does not wait for the write. If the write fails the job still runs, and this throws.
   */
  take(start?: (item: QueueItem) => void): QueueItem | undefined {
    if (this.running) return undefined;
    const job = this.pending.shift();
    if (!job) return undefined;
    this.running = job;
    start?.(job.item);
    this.store.started(job.item[1]);
    return job.item;
  }

  /** The pending or running job with this prompt id. */
  find(promptId: string): QueueItem | undefined {
    if (this.running?.item[1] === promptId) return this.running.item;
    return this.pending.find((job) => job.item[1] === promptId)?.item;
  }

  get current(): QueueItem | undefined {
    return this.running?.item;
  }

  /** How often the running job was started before and put back, and why the last time. */
  get currentRestarts(): { restarts: number; lastRestart: RestartReason | undefined } {
    return { restarts: this.running?.restarts ?? 0, lastRestart: this.running?.lastRestart };
  }

  /** The running job's node `node` started (recorded cheaply, for a job that kills the process). */
  nodeStarted(promptId: string, node: string): void {
    if (this.running?.item[1] === promptId) this.store.nodeStarted(promptId, node);
  }

  /** Running → pending again (the server is stopping before the job could finish). */
  requeueRunning(reason: RestartReason): void {
    const job = this.running;
    if (!job) return;
    this.store.requeued(job.item[1], reason);
    this.running = undefined;
    this.insertSorted({ item: job.item, restarts: job.restarts + 1, lastRestart: reason });
  }

  /**
   * Running → history. The job leaves the queue in memory, `announce` runs (the server tells its clients and hands
   * the engine its next job), then the history entry is committed: all in one turn of the event loop, so every
   * reader still sees the job either running or in history, and the disk write delays neither the client hearing
   * the end nor the next job. If the store refuses the write, it keeps the entry in memory (served with the rest of
   * history) and writes it once it can; on disk the job is still queued until then.
   */
  complete(promptId: string, entry: HistoryEntry, announce?: () => void): void {
    if (this.running?.item[1] === promptId) this.running = undefined;
    try {
      announce?.();
    } finally {
      this.store.finished(promptId, entry, this.maxHistory);
    }
  }

  get remaining(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  snapshot(): { queue_running: QueueItem[]; queue_pending: QueueItem[] } {
    return {
      queue_running: this.running ? [this.running.item] : [],
      queue_pending: this.pending.map((job) => job.item),
    };
  }

  deletePending(promptIds: readonly string[]): number {
    const doomed = new Set(promptIds);
    this.store.removePending(promptIds);
    const before = this.pending.length;
    for (let index = this.pending.length - 1; index >= 0; index--) {
      if (doomed.has(this.pending[index]!.item[1])) this.pending.splice(index, 1);
    }
    return before - this.pending.length;
  }

  clearPending(): number {
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
