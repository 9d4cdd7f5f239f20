import { afterEach, describe, expect, it } from 'vitest';
import { entryAnswerBytes, historyWindow, leftOutForBytes } from '../../server/history-window.js';
import { PromptQueue, type QueueChange } from '../../server/prompt-queue.js';
import { toQueueItem, withoutSecrets, type QueuedJob } from '../../server/queued-job.js';
import { JobStore } from '../../server/store/job-store.js';
import type { HistoryEntry } from '../../shared/protocol.js';
import { historyEntryOf, historyOf } from '../helpers/history.js';

const openStores: JobStore[] = [];
afterEach(() => {
  for (const store of openStores.splice(0)) store.close();
});

/** A queue on a fresh in-memory SQLite job store (the durable behaviour is tested in job-store.test.ts). */
function newQueue(maxHistory?: number): PromptQueue {
  const { store, restored } = JobStore.open(':memory:');
  openStores.push(store);
  return new PromptQueue(store, restored, maxHistory);
}

function item(queue: PromptQueue, id: string, options: { number?: number; front?: boolean } = {}): QueuedJob {
  return {
    number: queue.assignNumber(options.number, options.front),
    promptId: id,
    prompt: {},
    extraData: {},
    outputs: [],
  };
}

function entry(job: QueuedJob): HistoryEntry {
  return {
    prompt: toQueueItem(job),
    outputs: {},
    status: { status_str: 'success', completed: true, messages: [] },
    meta: {},
  };
}

describe('PromptQueue', () => {
  it('orders by number, then prompt id; front jumps ahead', () => {
    const queue = newQueue();
    const a = item(queue, 'a');
    const b = item(queue, 'b');
    const c = item(queue, 'c', { front: true });
    const d = item(queue, 'd', { number: 0.5 });
    for (const it of [a, b, c, d]) queue.put(it);
    // numbers: a 0, b 1, c −2 (front), d 0.5 (explicit)
    expect([a.number, b.number, c.number, d.number]).toEqual([0, 1, -2, 0.5]);
    expect(queue.snapshot().pending.map((x) => x.promptId)).toEqual(['c', 'a', 'd', 'b']);
    expect(queue.take()!.promptId).toBe('c');
    expect(queue.take(undefined, () => false)).toBeUndefined();
    // A cluster runs several at once, and may skip a job no free worker can run.
    expect(queue.take(undefined, (job) => job.promptId !== 'a')!.promptId).toBe('d');
    expect(queue.runningJobs.map((job) => job.promptId)).toEqual(['c', 'd']);
    expect(queue.snapshot().pending.map((x) => x.promptId)).toEqual(['a', 'b']);
    expect(queue.remaining).toBe(4);
  });

  it('hands a finished job from running to history in one step', () => {
    const queue = newQueue();
    const a = item(queue, 'a');
    queue.put(a);
    queue.take();
    expect(queue.snapshot().running[0]!.promptId).toBe('a');
    queue.complete('a', entry(a));
    expect(queue.snapshot().running).toEqual([]);
    expect(historyEntryOf(queue, 'a')).toBeDefined();
    expect(queue.remaining).toBe(0);
  });

  it('pages history as ComfyUI does and caps its size', () => {
    const queue = newQueue(3);
    for (const id of ['a', 'b', 'c', 'd']) queue.complete(id, entry(item(queue, id)));
    expect(Object.keys(historyOf(queue))).toEqual(['b', 'c', 'd']);
    expect(Object.keys(historyOf(queue, 2))).toEqual(['c', 'd']);
    expect(Object.keys(historyOf(queue, 1, 1))).toEqual(['c']);
    queue.deleteHistory(['c']);
    expect(Object.keys(historyOf(queue))).toEqual(['b', 'd']);
  });

  it('deletes and clears pending items', () => {
    const queue = newQueue();
    for (const id of ['a', 'b', 'c']) queue.put(item(queue, id));
    expect(queue.removePending({ delete: ['b', 'zz'] })).toBe(1);
    expect(queue.snapshot().pending.map((x) => x.promptId)).toEqual(['a', 'c']);
    expect(queue.removePending({ clear: true })).toBe(2);
  });

  it('strips secrets from extra_data', () => {
    expect(withoutSecrets({ client_id: 'c', auth_token_comfy_org: 's', api_key_comfy_org: 'k' })).toEqual({
      client_id: 'c',
    });
  });
});

describe('PromptQueue announcements', () => {
  /** A queue whose announcements are recorded, each with the queue's size and pause state at that moment. */
  function watched(): { queue: PromptQueue; heard: string[] } {
    const queue = newQueue();
    const heard: string[] = [];
    queue.subscribe((change: QueueChange) =>
      heard.push(`${change} ${queue.remaining}${queue.paused ? ' paused' : ''}`),
    );
    return { queue, heard };
  }

  it('announces a job added, started and finished, each once it is made in memory', () => {
    const { queue, heard } = watched();
    const a = item(queue, 'a');
    queue.put(a, () => heard.push('flushing'));
    queue.take((job) => heard.push(`start ${job.promptId} running=${queue.current?.promptId ?? ''}`));
    queue.complete('a', entry(a), () => heard.push(`next running=${queue.current?.promptId ?? ''}`));
    expect(heard).toEqual(['added 1', 'flushing', 'started 1', 'start a running=a', 'finished 0', 'next running=']);
  });

  it('announces removals and pause changes for every request, even one that changes nothing', () => {
    const { queue, heard } = watched();
    for (const id of ['a', 'b']) queue.put(item(queue, id));
    heard.length = 0;
    queue.removePending({ clear: true, delete: ['a'] });
    queue.removePending({});
    queue.setPaused(true);
    queue.setPaused(true);
    queue.setPaused(false);
    expect(heard).toEqual(['removed 0', 'removed 0', 'paused 0 paused', 'paused 0 paused', 'resumed 0']);
  });

  it('announces a job put back at shutdown', () => {
    const { queue, heard } = watched();
    queue.put(item(queue, 'a'));
    queue.take();
    queue.requeueRunning(queue.current?.promptId ?? '', 'shutdown');
    expect(heard).toEqual(['added 1', 'started 1', 'requeued 1']);
    expect(queue.snapshot().pending.map((job) => job.promptId)).toEqual(['a']);
  });

  it('announces nothing the store refused, and stops once unsubscribed', () => {
    const { store, restored } = JobStore.open(':memory:');
    const queue = new PromptQueue(store, restored);
    const heard: QueueChange[] = [];
    const unsubscribe = queue.subscribe((change) => heard.push(change));
    queue.put(item(queue, 'a'));
    unsubscribe();
    queue.put(item(queue, 'b'));
    queue.subscribe((change) => heard.push(change));
    store.close();
    expect(() => queue.put(item(queue, 'c'))).toThrow(/not open/);
    expect(() => queue.removePending({ clear: true })).toThrow(/not open/);
    expect(() => queue.setPaused(true)).toThrow(/not open/);
    expect(heard).toEqual(['added']);
    expect(queue.remaining).toBe(2);
    expect(queue.paused).toBe(false);
  });
});

describe('history answers bounded in bytes', () => {
  /** Six finished jobs a…f whose entries are each about 1 KB. */
  function sixEntries(): { queue: PromptQueue; entryBytes: number } {
    const queue = newQueue();
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const it = item(queue, id);
      queue.complete(id, entry({ ...it, extraData: { note: 'x'.repeat(1000) } }));
    }
    return { queue, entryBytes: Buffer.byteLength(queue.historyText('a')!) };
  }

  const ids = (plan: { refs: readonly { promptId: string }[] }): string[] => plan.refs.map((ref) => ref.promptId);

  it('keeps the newest whole entries that fit, and says which were left out', () => {
    const { queue, entryBytes } = sixEntries();
    const threeFit = 1 + 3 * entryAnswerBytes('a', entryBytes);
    const all = queue.historyAnswer(undefined, undefined, threeFit);
    expect(ids(all)).toEqual(['d', 'e', 'f']);
    expect(all).toMatchObject({ leftOut: 3, nextOffset: 0 });
    // Asking for what was left out pages back to the oldest.
    const rest = queue.historyAnswer(all.leftOut, all.nextOffset, threeFit);
    expect(ids(rest)).toEqual(['a', 'b', 'c']);
    expect(rest.leftOut).toBe(0);
    expect(ids(queue.historyAnswer(undefined, undefined, threeFit - 1))).toEqual(['e', 'f']);
  });

  it('keeps max_items and offset as ComfyUI reads them', () => {
    const { queue, entryBytes } = sixEntries();
    const threeFit = 1 + 3 * entryAnswerBytes('a', entryBytes);
    const lastFour = queue.historyAnswer(4, undefined, threeFit);
    expect(ids(lastFour)).toEqual(['d', 'e', 'f']);
    expect(lastFour).toMatchObject({ leftOut: 1, nextOffset: 2 });
    expect(ids(queue.historyAnswer(lastFour.leftOut, lastFour.nextOffset, threeFit))).toEqual(['c']);
    expect(ids(queue.historyAnswer(2, 1, threeFit))).toEqual(['b', 'c']);
    expect(ids(queue.historyAnswer(undefined, 4, threeFit))).toEqual(['e', 'f']);
    expect(ids(queue.historyAnswer(undefined, 9, threeFit))).toEqual([]);
  });

  it('always answers at least one entry, however big', () => {
    const { queue } = sixEntries();
    const plan = queue.historyAnswer(undefined, undefined, 10);
    expect(ids(plan)).toEqual(['f']);
    expect(plan).toMatchObject({ leftOut: 5, nextOffset: 0 });
    expect(ids(queue.historyAnswer(0, undefined, 10))).toEqual([]);
  });

  it('reads the window as getHistory did', () => {
    expect(historyWindow(6)).toEqual({ from: 0, count: 6 });
    expect(historyWindow(6, 2)).toEqual({ from: 4, count: 2 });
    expect(historyWindow(6, 10)).toEqual({ from: 0, count: 6 });
    expect(historyWindow(6, -1)).toEqual({ from: 6, count: 0 });
    expect(historyWindow(6, 2, 3)).toEqual({ from: 3, count: 2 });
    expect(historyWindow(6, undefined, -2)).toEqual({ from: 0, count: 6 });
    expect(leftOutForBytes([], 10)).toBe(0);
  });
});
