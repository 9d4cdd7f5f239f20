import { describe, expect, it } from 'vitest';
import { HistoryJobViews, type HistorySource } from '../../server/jobs/history-job-views.js';
import type { HistoryRef } from '../../server/store/job-store.js';

function entryText(promptId: string, statusStr: 'success' | 'error'): string {
  return JSON.stringify({
    prompt: [1, promptId, {}, { create_time: 5 }, []],
    outputs: {},
    status: { status_str: statusStr, completed: statusStr === 'success', messages: [] },
    meta: {},
  });
}

/** A history of rows (seq undefined: waiting in memory), counting which entries' texts are read. */
class FakeHistory implements HistorySource {
  rows: { ref: HistoryRef; text: string }[] = [];
  read: string[] = [];

  add(promptId: string, seq: number | undefined, text = entryText(promptId, 'success')): void {
    this.rows.push({ ref: { promptId, seq, bytes: text.length }, text });
  }

  historyRefs(): readonly HistoryRef[] {
    return this.rows.map((row) => row.ref);
  }

  historyTexts(refs: readonly HistoryRef[]): { promptId: string; text: string }[] {
    return refs.flatMap((ref) => {
      const row = this.rows.find((candidate) => candidate.ref === ref);
      if (!row) return [];
      this.read.push(ref.promptId);
      return [{ promptId: ref.promptId, text: row.text }];
    });
  }
}

describe('HistoryJobViews', () => {
  it('parses each stored entry once, forgets deleted rows, and reads entries waiting in memory each time', () => {
    const history = new FakeHistory();
    const views = new HistoryJobViews();
    history.add('a', 1);
    history.add('b', 2, entryText('b', 'error'));
    expect(views.all(history).map((job) => [job.id, job.status])).toEqual([
      ['a', 'completed'],
      ['b', 'failed'],
    ]);
    expect(history.read).toEqual(['a', 'b']);

    history.read = [];
    history.add('c', undefined);
    expect(views.all(history).map((job) => job.id)).toEqual(['a', 'b', 'c']);
    expect(history.read).toEqual(['c']);
    history.read = [];
    views.all(history);
    expect(history.read).toEqual(['c']);

    // `a` re-run: its old row goes, its new entry is a new row, read once.
    history.rows = history.rows.filter((row) => row.ref.promptId !== 'a' && row.ref.promptId !== 'c');
    history.add('a', 3, entryText('a', 'error'));
    history.read = [];
    expect(views.all(history).map((job) => [job.id, job.status])).toEqual([
      ['b', 'failed'],
      ['a', 'failed'],
    ]);
    expect(history.read).toEqual(['a']);
  });

  it('leaves out an entry it cannot read', () => {
    const history = new FakeHistory();
    history.add('bad', 1, '{"prompt": "no"}');
    history.add('good', 2);
    expect(new HistoryJobViews().all(history).map((job) => job.id)).toEqual(['good']);
  });
});
