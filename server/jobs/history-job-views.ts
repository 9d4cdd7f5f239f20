import type { HistoryRef } from '../store/job-store.js';
import { historyJobView, readStoredEntry, type Job } from './job-view.js';
import { historyBatches } from '../store/history-batches.js';

/** What the views are made from: the queue's history, in finish order, and the stored JSON texts of entries. */
export interface HistorySource {
  historyRefs(): readonly HistoryRef[];
  historyTexts(refs: readonly HistoryRef[]): { promptId: string; text: string }[];
}

/**
 * The list views of every history entry, in finish order. Each stored row's view is kept by its row number (rows
 * are never renumbered, and a re-run's entry gets a new one), so a job list parses only the entries finished since
 * the last; entries still waiting in memory for the disk are read each time.
 */
export class HistoryJobViews {
  private readonly bySeq = new Map<number, Job>();

  /** Every entry's view; an entry that cannot be read as one (damaged, say) is left out. */
  all(source: HistorySource): Job[] {
    const refs = source.historyRefs();
    const missing = refs.filter((ref) => ref.seq === undefined || !this.bySeq.has(ref.seq));
    const fresh = new Map<string, Job>();
    for (const batch of historyBatches(missing)) {
      for (const { promptId, text } of source.historyTexts(batch)) {
        const entry = readStoredEntry(text);
        if (entry) fresh.set(promptId, historyJobView(promptId, entry));
      }
    }
    const seen = new Set<number>();
    const views: Job[] = [];
    for (const ref of refs) {
      const cached = ref.seq === undefined ? undefined : this.bySeq.get(ref.seq);
      const view = cached ?? fresh.get(ref.promptId);
      if (!view) continue;
      if (ref.seq !== undefined) {
        this.bySeq.set(ref.seq, view);
        seen.add(ref.seq);
      }
      views.push(view);
    }
    // Rows deleted or trimmed since are forgotten.
    for (const seq of this.bySeq.keys()) if (!seen.has(seq)) this.bySeq.delete(seq);
    return views;
  }
}
