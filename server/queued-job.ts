import type { ExtraData, QueueItem } from '../shared/protocol.js';
import type { ApiPrompt } from '../shared/workflow.js';

/**
 * A job in the queue, as the server reads it. ComfyUI's positional 5-tuple is made from it by `toQueueItem` only
 * where that shape leaves the server: `GET /queue`, history entries, and the job store's rows (which keep it so
 * that existing data folders read back).
 */
export interface QueuedJob {
  /** Its priority: the smallest number runs first (ComfyUI's `number`). */
  readonly number: number;
  readonly promptId: string;
  readonly prompt: ApiPrompt;
  /** `extra_data` as posted, with `client_id` in it when the prompt named one. */
  readonly extraData: ExtraData;
  /** The output nodes to execute. */
  readonly outputs: readonly string[];
}

/** Keys of `extra_data` that never reach history or disk (ComfyUI's SENSITIVE_EXTRA_DATA_KEYS). */
export const SENSITIVE_EXTRA_DATA_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org'] as const;

export function withoutSecrets(extraData: ExtraData): ExtraData {
  const copy: ExtraData = { ...extraData };
  for (const key of SENSITIVE_EXTRA_DATA_KEYS) delete copy[key];
  return copy;
}

/** The job as it may be written down: its `extra_data` without secrets. */
export function jobWithoutSecrets(job: QueuedJob): QueuedJob {
  return { ...job, extraData: withoutSecrets(job.extraData) };
}

/** ComfyUI's `[number, prompt_id, prompt, extra_data, outputs_to_execute]`. */
export function toQueueItem(job: QueuedJob): QueueItem {
  return [job.number, job.promptId, job.prompt, job.extraData, [...job.outputs]];
}

export function fromQueueItem(item: QueueItem): QueuedJob {
  const [number, promptId, prompt, extraData, outputs] = item;
  return { number, promptId, prompt, extraData, outputs };
}

/** Orders jobs as ComfyUI's heap does: smallest number first, ties by prompt id. */
export function compareJobs(a: QueuedJob, b: QueuedJob): number {
  if (a.number !== b.number) return a.number - b.number;
  if (a.promptId === b.promptId) return 0;
  return a.promptId < b.promptId ? -1 : 1;
}
