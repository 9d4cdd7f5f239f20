import { afterEach, describe, expect, it } from 'vitest';
import { PromptQueue } from '../../server/prompt-queue.js';
import { announcesStatus, broadcastQueueStatus, statusMessage } from '../../server/queue-status.js';
import type { QueuedJob } from '../../server/queued-job.js';
import { JobStore } from '../../server/store/job-store.js';
import type { WsMessage } from '../../shared/protocol.js';

const openStores: JobStore[] = [];
afterEach(() => {
  for (const store of openStores.splice(0)) store.close();
});

function newQueue(): PromptQueue {
  const { store, restored } = JobStore.open(':memory:');
  openStores.push(store);
  return new PromptQueue(store, restored);
}

function job(queue: PromptQueue, promptId: string): QueuedJob {
  return { number: queue.assignNumber(undefined, undefined), promptId, prompt: {}, extraData: {}, outputs: [] };
}

describe('the queue’s status message', () => {
  it('is ComfyUI’s shape, with sid only in a greeting', () => {
    expect(JSON.stringify(statusMessage({ remaining: 2, paused: false }))).toBe(
      '{"type":"status","data":{"status":{"exec_info":{"queue_remaining":2}},"paused":false}}',
    );
    expect(JSON.stringify(statusMessage({ remaining: 0, paused: true }, 'me'))).toBe(
      '{"type":"status","data":{"status":{"exec_info":{"queue_remaining":0}},"sid":"me","paused":true}}',
    );
  });

  it('goes to every client after each change but a shutdown’s requeue', () => {
    expect(announcesStatus('requeued')).toBe(false);
    for (const change of ['added', 'started', 'finished', 'removed', 'paused', 'resumed'] as const)
      expect(announcesStatus(change)).toBe(true);

    const queue = newQueue();
    const sent: WsMessage[] = [];
    const stop = broadcastQueueStatus(queue, { broadcast: (message) => sent.push(message) });
    const remaining = (): (number | undefined)[] =>
      sent.map((message) => (message.type === 'status' ? message.data.status.exec_info.queue_remaining : undefined));
    queue.put(job(queue, 'a'));
    queue.take();
    queue.requeueRunning(queue.current?.promptId ?? '', 'shutdown');
    queue.take();
    queue.complete('a', {
      prompt: [0, 'a', {}, {}, []],
      outputs: {},
      status: { status_str: 'success', completed: true, messages: [] },
      meta: {},
    });
    queue.setPaused(true);
    expect(remaining()).toEqual([1, 1, 1, 0, 0]);
    expect(sent.at(-1)).toEqual(statusMessage({ remaining: 0, paused: true }));
    stop();
    queue.setPaused(false);
    expect(sent).toHaveLength(5);
  });
});
