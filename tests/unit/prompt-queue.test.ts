import { afterEach, describe, expect, it } from 'vitest';
import { PromptQueue, withoutSecrets } from '../../server/prompt-queue.js';
import { JobStore } from '../../server/store/job-store.js';
import type { HistoryEntry, QueueItem } from '../../shared/protocol.js';

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

function item(queue: PromptQueue, id: string, options: { number?: number; front?: boolean } = {}): QueueItem {
  return [queue.assignNumber(options.number, options.front), id, {}, {}, []];
}

function entry(item: QueueItem): HistoryEntry {
  return { prompt: item, outputs: {}, status: { status_str: 'success', completed: true, messages: [] }, meta: {} };
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
    expect([a[0], b[0], c[0], d[0]]).toEqual([0, 1, -2, 0.5]);
    expect(queue.snapshot().queue_pending.map((x) => x[1])).toEqual(['c', 'a', 'd', 'b']);
    expect(queue.take()![1]).toBe('c');
    expect(queue.take()).toBeUndefined();
    expect(queue.remaining).toBe(4);
  });

  it('hands a finished job from running to history in one step', () => {
    const queue = newQueue();
    const a = item(queue, 'a');
    queue.put(a);
    queue.take();
    expect(queue.snapshot().queue_running[0]![1]).toBe('a');
    queue.complete('a', entry(a));
    expect(queue.snapshot().queue_running).toEqual([]);
    expect(queue.getHistoryEntry('a')).toBeDefined();
    expect(queue.remaining).toBe(0);
  });

  it('pages history as ComfyUI does and caps its size', () => {
    const queue = newQueue(3);
    for (const id of ['a', 'b', 'c', 'd']) queue.complete(id, entry(item(queue, id)));
    expect(Object.keys(queue.getHistory())).toEqual(['b', 'c', 'd']);
    expect(Object.keys(queue.getHistory(2))).toEqual(['c', 'd']);
    expect(Object.keys(queue.getHistory(1, 1))).toEqual(['c']);
    queue.deleteHistory(['c']);
    expect(Object.keys(queue.getHistory())).toEqual(['b', 'd']);
  });

  it('deletes and clears pending items', () => {
    const queue = newQueue();
    for (const id of ['a', 'b', 'c']) queue.put(item(queue, id));
    expect(queue.deletePending(['b', 'zz'])).toBe(1);
    expect(queue.snapshot().queue_pending.map((x) => x[1])).toEqual(['a', 'c']);
    expect(queue.clearPending()).toBe(2);
  });

  it('strips secrets from extra_data', () => {
    expect(withoutSecrets({ client_id: 'c', auth_token_comfy_org: 's', api_key_comfy_org: 'k' })).toEqual({ client_id: 'c' });
  });
});
