import { z } from 'zod';
import { withoutSecrets, type QueuedJob } from '../queued-job.js';
import { countPreviewableOutputs, isJsonObject, isList, normalizeOutputs, outputsSummary } from './job-outputs.js';

/** A job's state as `/api/jobs` names it (ComfyUI's JobStatus, in its order). */
export const JOB_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** States only a finished job (one in history) has. */
export const HISTORY_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

/**
 * One job as ComfyUI's comfy_execution/jobs.py normalises it: fields it has no value for are left out (its
 * `prune_dict`), in ComfyUI's key order. `outputs`, `execution_status` and `workflow` only in a single-job answer.
 */
export interface Job {
  readonly id: string;
  readonly status: JobStatus;
  readonly priority: number;
  readonly create_time?: unknown;
  readonly execution_start_time?: unknown;
  readonly execution_end_time?: unknown;
  readonly execution_error?: Record<string, unknown>;
  readonly outputs_count: number;
  readonly previewable_outputs_count: number;
  readonly preview_output?: Record<string, unknown>;
  readonly workflow_id?: unknown;
  readonly outputs?: Record<string, unknown>;
  readonly execution_status?: Record<string, unknown>;
  readonly workflow?: { readonly prompt: unknown; readonly extra_data: Record<string, unknown> };
}

/** What the job list reads of a stored history entry; the prompt itself is not looked into. */
export const storedHistoryEntrySchema = z.object({
  prompt: z.tuple([z.number(), z.string(), z.unknown(), z.record(z.string(), z.unknown()), z.unknown()]),
  outputs: z.record(z.string(), z.unknown()).optional(),
  status: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type StoredHistoryEntry = z.infer<typeof storedHistoryEntrySchema>;

/** A stored entry's JSON text read for the job list; undefined for one that is not a history entry. */
export function readStoredEntry(text: string): StoredHistoryEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = storedHistoryEntrySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** `{key: value}`, or nothing when value is undefined or null: ComfyUI's prune_dict drops None values. */
function present<K extends string, V>(key: K, value: V): Partial<Record<K, NonNullable<V>>> {
  if (value === undefined || value === null) return {};
  const field: Partial<Record<K, NonNullable<V>>> = {};
  field[key] = value;
  return field;
}

/** `create_time` (set when the prompt was accepted) and the UI workflow's `id`, from `extra_data`. */
function jobMetadata(extraData: Record<string, unknown>): { createTime: unknown; workflowId: unknown } {
  const pngInfo = extraData.extra_pnginfo;
  const workflow = isJsonObject(pngInfo) ? pngInfo.workflow : undefined;
  return { createTime: extraData.create_time, workflowId: isJsonObject(workflow) ? workflow.id : undefined };
}

/** A pending or running job (ComfyUI's `normalize_queue_item`); with its prompt for a single-job answer. */
export function queuedJobView(job: QueuedJob, status: 'pending' | 'in_progress', includeWorkflow = false): Job {
  const extraData = withoutSecrets(job.extraData);
  const { createTime, workflowId } = jobMetadata(extraData);
  const view: Job = {
    id: job.promptId,
    status,
    priority: job.number,
    ...present('create_time', createTime),
    outputs_count: 0,
    previewable_outputs_count: 0,
    ...present('workflow_id', workflowId),
  };
  return includeWorkflow ? { ...view, workflow: { prompt: job.prompt, extra_data: extraData } } : view;
}

/** The start and end timestamps, and the error, from a history entry's status messages. */
function executionTimes(messages: unknown): {
  start: unknown;
  end: unknown;
  error: Record<string, unknown> | undefined;
  interrupted: boolean;
} {
  let start: unknown;
  let end: unknown;
  let error: Record<string, unknown> | undefined;
  let interrupted = false;
  for (const entry of isList(messages) ? messages : []) {
    if (!isList(entry) || entry.length < 2) continue;
    const [event, data] = entry;
    if (!isJsonObject(data)) continue;
    if (event === 'execution_start') start = data.timestamp;
    else if (event === 'execution_success' || event === 'execution_error' || event === 'execution_interrupted') {
      end = data.timestamp;
      if (event === 'execution_error') error = data;
      else if (event === 'execution_interrupted') interrupted = true;
    }
  }
  return { start, end, error, interrupted };
}

/**
 * A finished job (ComfyUI's `normalize_history_item`): completed on success, cancelled when an error status ends in
 * an interruption, failed otherwise. With `includeOutputs`, the single-job answer's outputs, status and prompt.
 */
export function historyJobView(promptId: string, entry: StoredHistoryEntry, includeOutputs = false): Job {
  const [priority, , prompt, extraData] = entry.prompt;
  const { createTime, workflowId } = jobMetadata(extraData);
  const statusInfo = entry.status ?? undefined;
  const outputs = entry.outputs ?? {};
  const { count, preview } = outputsSummary(outputs);
  const times = executionTimes(statusInfo?.messages);
  const status: JobStatus =
    statusInfo?.status_str === 'error' ? (times.interrupted ? 'cancelled' : 'failed') : 'completed';
  const view: Job = {
    id: promptId,
    status,
    priority,
    // Entries written before prompts were stamped have no create_time; the frontend's schema requires one, so such
    // an entry takes its run's start (ComfyUI's in-memory history never lacks it).
    ...present('create_time', createTime ?? times.start),
    ...present('execution_start_time', times.start),
    ...present('execution_end_time', times.end),
    ...present('execution_error', times.error),
    outputs_count: count,
    previewable_outputs_count: countPreviewableOutputs(outputs),
    ...present('preview_output', preview),
    ...present('workflow_id', workflowId),
  };
  if (!includeOutputs) return view;
  return {
    ...view,
    outputs: normalizeOutputs(outputs),
    execution_status: statusInfo ?? {},
    workflow: { prompt, extra_data: extraData },
  };
}
