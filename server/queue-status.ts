import type { WsMessage } from '../shared/protocol.js';
import type { PromptQueue, QueueChange } from './prompt-queue.js';
import type { WsHub } from './ws-hub.js';

/** ComfyUI's `status` message: how many jobs are left, and whether the queue is paused; `sid` in a greeting. */
export function statusMessage(
  queue: { readonly remaining: number; readonly paused: boolean },
  sid?: string,
): WsMessage {
  return {
    type: 'status',
    data: {
      status: { exec_info: { queue_remaining: queue.remaining } },
      ...(sid !== undefined ? { sid } : {}),
      paused: queue.paused,
    },
  };
}

/**
 * Which changes every client hears of as a `status`: all but a job put back at shutdown (the count is the same,
 * and the sockets are about to close).
 */
export function announcesStatus(change: QueueChange): boolean {
  return change !== 'requeued';
}

/** Broadcasts the queue's `status` after each change that `announcesStatus`; returns the unsubscribe function. */
export function broadcastQueueStatus(queue: PromptQueue, hub: Pick<WsHub, 'broadcast'>): () => void {
  return queue.subscribe((change) => {
    if (announcesStatus(change)) hub.broadcast(statusMessage(queue));
  });
}
