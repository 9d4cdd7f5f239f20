import { err, ok, type Result } from '../../shared/result.js';
import { HISTORY_STATUSES, JOB_STATUSES, type Job, type JobStatus } from './job-view.js';

/** `GET /api/jobs`'s query, read as ComfyUI's server.py `get_jobs` reads it. */
export interface JobsQuery {
  /** Undefined: every status. An empty list (`status=,`) matches nothing, as in ComfyUI. */
  readonly statuses: readonly JobStatus[] | undefined;
  readonly workflowId: string | undefined;
  readonly sortBy: 'created_at' | 'execution_duration';
  readonly sortOrder: 'asc' | 'desc';
  readonly limit: number | undefined;
  readonly offset: number;
}

/** One page of the job list, as `GET /api/jobs` answers it. */
export interface JobsPage {
  readonly jobs: readonly Job[];
  readonly pagination: { offset: number; limit: number | null; total: number; has_more: boolean };
}

function isJobStatus(value: string): value is JobStatus {
  return JOB_STATUSES.some((status) => status === value);
}

/** Python's `int(text)` for ASCII text: surrounding whitespace, a sign, digits with single underscores between. */
export function pythonInt(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(trimmed)) return undefined;
  return Number.parseInt(trimmed.replaceAll('_', ''), 10);
}

/** Reads the query; a bad value is ComfyUI's 400 message for it. Of repeated parameters the first counts. */
export function parseJobsQuery(params: URLSearchParams): Result<JobsQuery, string> {
  const statusParam = params.get('status');
  const workflowId = params.get('workflow_id');
  const sortBy = (params.get('sort_by') ?? 'created_at').toLowerCase();
  const sortOrder = (params.get('sort_order') ?? 'desc').toLowerCase();

  let statuses: JobStatus[] | undefined;
  if (statusParam) {
    const asked = statusParam
      .split(',')
      .filter((part) => part.trim() !== '')
      .map((part) => part.trim().toLowerCase());
    const invalid = asked.filter((status) => !isJobStatus(status));
    if (invalid.length > 0)
      return err(`Invalid status value(s): ${invalid.join(', ')}. Valid values: ${JOB_STATUSES.join(', ')}`);
    statuses = asked.filter(isJobStatus);
  }
  if (sortBy !== 'created_at' && sortBy !== 'execution_duration')
    return err("sort_by must be 'created_at' or 'execution_duration'");
  if (sortOrder !== 'asc' && sortOrder !== 'desc') return err("sort_order must be 'asc' or 'desc'");

  let limit: number | undefined;
  const limitParam = params.get('limit');
  if (limitParam !== null) {
    limit = pythonInt(limitParam);
    if (limit === undefined) return err('limit must be an integer');
    if (limit <= 0) return err('limit must be a positive integer');
  }
  let offset = 0;
  const offsetParam = params.get('offset');
  if (offsetParam !== null) {
    const parsed = pythonInt(offsetParam);
    if (parsed === undefined) return err('offset must be an integer');
    offset = Math.max(0, parsed);
  }
  return ok({ statuses, workflowId: workflowId || undefined, sortBy, sortOrder, limit, offset });
}

/** A job's sort key: its create_time, or its run's duration (0 when either time is missing or 0). */
function sortKey(job: Job, sortBy: JobsQuery['sortBy']): number {
  const numberOr0 = (value: unknown): number => (typeof value === 'number' ? value : 0);
  if (sortBy === 'created_at') return numberOr0(job.create_time);
  const start = numberOr0(job.execution_start_time);
  const end = numberOr0(job.execution_end_time);
  return start && end ? end - start : 0;
}

/**
 * ComfyUI's `get_all_jobs`: running, then pending, then history jobs (each list in its own order) of the asked
 * statuses and workflow, sorted stably by the asked key (ties keep that order either way, as Python's
 * `sorted(reverse=True)` does), then the page at `offset`/`limit`.
 */
export function selectJobs(
  running: readonly Job[],
  pending: readonly Job[],
  history: readonly Job[],
  query: JobsQuery,
): JobsPage {
  const statuses = new Set(query.statuses ?? JOB_STATUSES);
  let jobs = [
    ...(statuses.has('in_progress') ? running : []),
    ...(statuses.has('pending') ? pending : []),
    ...history.filter((job) => HISTORY_STATUSES.has(job.status) && statuses.has(job.status)),
  ];
  if (query.workflowId !== undefined) jobs = jobs.filter((job) => job.workflow_id === query.workflowId);
  const direction = query.sortOrder === 'desc' ? -1 : 1;
  const sorted = jobs
    .map((job) => ({ job, key: sortKey(job, query.sortBy) }))
    .sort((a, b) => direction * (a.key - b.key))
    .map(({ job }) => job);
  const total = sorted.length;
  const page = sorted.slice(query.offset, query.limit === undefined ? undefined : query.offset + query.limit);
  return {
    jobs: page,
    pagination: {
      offset: query.offset,
      limit: query.limit ?? null,
      total,
      has_more: query.offset + page.length < total,
    },
  };
}
