import type { ExtraData, HistoryEntry, QueueItem } from '../shared/protocol.js';

/** Keys of `extra_data` that never reach history (ComfyUI's SENSITIVE_EXTRA_DATA_KEYS). */
export const SENSITIVE_EXTRA_DATA_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org'] as const;

export function withoutSecrets(extraData: ExtraData): ExtraData {
  const copy: ExtraData = { ...extraData };
  for (const key of SENSITIVE_EXTRA_DATA_KEYS) delete copy[key];
  return copy;
}

export const MAXIMUM_HISTORY_SIZE = 10_000;

/** Orders queue items as ComfyUI's heap does: smallest number first, ties by prompt id. */
export function compareQueueItems(a: QueueItem, b: QueueItem): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/**
 * The prompt queue and history. Every change is synchronous, so the hand-over of a finished job from
 * running to history is atomic with respect to every reader (`GET /queue`, `GET /history`).
 */
export class PromptQueue {
  private counter = 0;
  private readonly pending: QueueItem[] = [];
  private running: QueueItem | undefined;
  private readonly history = new Map<string, HistoryEntry>();

  constructor(private readonly maxHistory = MAXIMUM_HISTORY_SIZE) {}

  /** The priority number for a new item: explicit, or the next counter value (negated for `front`). */
  assignNumber(explicit: number | undefined, front: boolean | undefined): number {
    if (explicit !== undefined) return explicit;
    const number = front ? -this.counter : this.counter;
    this.counter += 1;
    return number;
  }

  put(item: QueueItem): void {
    let index = this.pending.findIndex((other) => compareQueueItems(item, other) < 0);
    if (index < 0) index = this.pending.length;
    this.pending.splice(index, 0, item);
  }

  /** Moves the first pending item to running. */
  take(): QueueItem | undefined {
    if (this.running) return undefined;
    const item = this.pending.shift();
    this.running = item;
    return item;
  }

  get current(): QueueItem | undefined {
    return this.running;
  }

  /** Running → history, in one step. */
  complete(promptId: string, entry: HistoryEntry): void {
    if (this.running?.[1] === promptId) this.running = undefined;
    this.history.delete(promptId);
    this.history.set(promptId, entry);
    while (this.history.size > this.maxHistory) this.history.delete(this.history.keys().next().value as string);
  }

  get remaining(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  snapshot(): { queue_running: QueueItem[]; queue_pending: QueueItem[] } {
    return { queue_running: this.running ? [this.running] : [], queue_pending: [...this.pending] };
  }

  deletePending(promptIds: readonly string[]): number {
    let removed = 0;
    for (const id of promptIds) {
      const index = this.pending.findIndex((item) => item[1] === id);
      if (index >= 0) {
        this.pending.splice(index, 1);
        removed += 1;
      }
    }
    return removed;
  }

  clearPending(): number {
    const removed = this.pending.length;
    this.pending.length = 0;
    return removed;
  }

  /** History in insertion order; `maxItems` alone gives the last N, with `offset` the N from that index. */
  getHistory(maxItems?: number, offset?: number): Record<string, HistoryEntry> {
    let entries = [...this.history.entries()];
    if (offset !== undefined) {
      entries = entries.slice(Math.max(0, offset), maxItems !== undefined ? Math.max(0, offset) + maxItems : undefined);
    } else if (maxItems !== undefined) {
      entries = maxItems <= 0 ? [] : entries.slice(-maxItems);
    }
    return Object.fromEntries(entries);
  }

  getHistoryEntry(promptId: string): HistoryEntry | undefined {
    return this.history.get(promptId);
  }

  deleteHistory(promptIds: readonly string[]): void {
    for (const id of promptIds) this.history.delete(id);
  }

  clearHistory(): void {
    this.history.clear();
  }
}
