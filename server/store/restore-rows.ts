import { queueItemSchema, type HistoryEntry } from '../../shared/protocol.js';
import { fromQueueItem, type QueuedJob } from '../queued-job.js';
import { DEATHS_BEFORE_FAILING, stoppedTwiceEntry } from './stopped-twice.js';

/** Why a job that had started was put back in the queue. */
export type RestartReason = 'crash' | 'shutdown';

/** A pending or running job: restored from disk, or accepted since. */
export interface RestoredJob {
  readonly job: QueuedJob;
  /** How many times this job was started and then put back (0: never started). */
  readonly restarts: number;
  readonly lastRestart: RestartReason | undefined;
}

/** A job that was running each time the process died: it goes to history as failed instead of running again. */
export interface FailedJob {
  readonly job: QueuedJob;
  /** The node that had started last when the process died, if it was recorded. */
  readonly node: string | undefined;
  readonly entry: HistoryEntry;
}

/** A jobs row as SQLite hands it back: any column may hold anything in a file this version did not write. */
export interface JobRow {
  readonly prompt_id: unknown;
  readonly item: unknown;
  readonly state: unknown;
  readonly restarts: unknown;
  readonly last_restart: unknown;
  readonly deaths: unknown;
  readonly running_node: unknown;
}

/**
 * What the rows of the jobs table mean at start. A row still marked running is a job the process died under: one
 * more restart and one more death (written by the store), and at the second death a failed history entry instead
 * of another run. A row whose item does not read back as a job of its own prompt id is unreadable.
 */
export function interpretJobRows(
  rows: readonly JobRow[],
  now: number,
): { pending: RestoredJob[]; failed: FailedJob[]; unreadable: string[] } {
  const pending: RestoredJob[] = [];
  const failed: FailedJob[] = [];
  const unreadable: string[] = [];
  for (const row of rows) {
    const job = typeof row.item === 'string' ? parseJob(row.item) : undefined;
    if (!job || job.promptId !== row.prompt_id) {
      unreadable.push(String(row.prompt_id));
      continue;
    }
    const died = row.state === 'running' ? 1 : 0;
    const restarts = count(row.restarts) + died;
    const node = typeof row.running_node === 'string' ? row.running_node : undefined;
    if (count(row.deaths) + died >= DEATHS_BEFORE_FAILING) {
      failed.push({ job, node, entry: stoppedTwiceEntry(job, node, restarts, now) });
      continue;
    }
    const lastRestart = died
      ? 'crash'
      : row.last_restart === 'crash' || row.last_restart === 'shutdown'
        ? row.last_restart
        : undefined;
    pending.push({ job, restarts, lastRestart });
  }
  return { pending, failed, unreadable };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

/** A row's `item`: the job as ComfyUI's queue tuple (the shape every version has written). */
function parseJob(text: string): QueuedJob | undefined {
  try {
    const result = queueItemSchema.safeParse(JSON.parse(text) as unknown);
    return result.success ? fromQueueItem(result.data) : undefined;
  } catch {
    return undefined;
  }
}
