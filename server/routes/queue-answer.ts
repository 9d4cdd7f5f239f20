import type { QueueItem } from '../../shared/protocol.js';
import type { QueueSnapshot } from '../prompt-queue.js';
import { toQueueItem } from '../queued-job.js';

/** `GET /queue`'s answer: ComfyUI's queue tuples, running then pending, and whether the queue is paused. */
export function queueAnswer(
  snapshot: QueueSnapshot,
  paused: boolean,
): { queue_running: QueueItem[]; queue_pending: QueueItem[]; paused: boolean } {
  return {
    queue_running: snapshot.running.map(toQueueItem),
    queue_pending: snapshot.pending.map(toQueueItem),
    paused,
  };
}
