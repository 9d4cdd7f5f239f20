import type { HistoryEntry } from '../../shared/protocol.js';
import { toQueueItem, type QueuedJob } from '../queued-job.js';

/** A job that was running when the process died this many times is not run again: it ends a crash loop. */
export const DEATHS_BEFORE_FAILING = 2;

export const STOPPED_TWICE_MESSAGE = 'the server stopped twice while running this job';

/**
 * The history entry of a job that was running each time the process died, as ComfyUI records a failed run: status
 * error, with an `execution_error` naming the node that had started last (empty when none had).
 */
export function stoppedTwiceEntry(
  job: QueuedJob,
  runningNode: string | undefined,
  restarts: number,
  now: number,
): HistoryEntry {
  const { promptId, prompt } = job;
  const node = runningNode !== undefined && Object.hasOwn(prompt, runningNode) ? runningNode : '';
  return {
    prompt: toQueueItem(job),
    outputs: {},
    status: {
      status_str: 'error',
      completed: false,
      messages: [
        [
          'execution_restarted',
          {
            prompt_id: promptId,
            restarts,
            reason: 'the server stopped (crash or kill) while the job ran',
            timestamp: now,
          },
        ],
        [
          'execution_error',
          {
            prompt_id: promptId,
            node_id: node,
            node_type: node === '' ? '' : (prompt[node]?.class_type ?? ''),
            executed: [],
            exception_message: STOPPED_TWICE_MESSAGE,
            exception_type: 'ServerStoppedTwice',
            traceback: [],
            current_inputs: {},
            current_outputs: [],
            timestamp: now,
          },
        ],
      ],
    },
    meta: {},
  };
}
