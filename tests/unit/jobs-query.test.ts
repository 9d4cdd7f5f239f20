import { describe, expect, it } from 'vitest';
import type { Job } from '../../server/jobs/job-view.js';
import { parseJobsQuery, pythonInt, selectJobs, type JobsQuery } from '../../server/jobs/jobs-query.js';

function parse(query: string): ReturnType<typeof parseJobsQuery> {
  return parseJobsQuery(new URLSearchParams(query));
}

function reason(query: string): string | undefined {
  const result = parse(query);
  return result.ok ? undefined : result.reason;
}

describe('parseJobsQuery (ComfyUI get_jobs)', () => {
  it('defaults: every status, newest first, no limit, offset 0', () => {
    expect(parse('')).toEqual({
      ok: true,
      value: {
        statuses: undefined,
        workflowId: undefined,
        sortBy: 'created_at',
        sortOrder: 'desc',
        limit: undefined,
        offset: 0,
      },
    });
  });

  it('reads a comma list of statuses, trimmed and lower-cased; an empty one matches nothing', () => {
    expect(parse('status=%20Completed,,FAILED%20')).toMatchObject({ value: { statuses: ['completed', 'failed'] } });
    expect(parse('status=,')).toMatchObject({ value: { statuses: [] } });
    expect(parse('status=')).toMatchObject({ value: { statuses: undefined } });
  });

  it("answers ComfyUI's messages for bad values", () => {
    expect(reason('status=done,pending,Nope')).toBe(
      'Invalid status value(s): done, nope. Valid values: pending, in_progress, completed, failed, cancelled',
    );
    expect(reason('sort_by=priority')).toBe("sort_by must be 'created_at' or 'execution_duration'");
    expect(reason('sort_by=')).toBe("sort_by must be 'created_at' or 'execution_duration'");
    expect(reason('sort_order=up')).toBe("sort_order must be 'asc' or 'desc'");
    expect(reason('limit=0')).toBe('limit must be a positive integer');
    expect(reason('limit=-3')).toBe('limit must be a positive integer');
    expect(reason('limit=2.5')).toBe('limit must be an integer');
    expect(reason('limit=')).toBe('limit must be an integer');
    expect(reason('offset=x')).toBe('offset must be an integer');
  });

  it('takes upper-case sort words, a negative offset as 0, and the first of repeated names', () => {
    expect(parse('sort_by=EXECUTION_DURATION&sort_order=ASC&offset=-5&limit=2&limit=x')).toMatchObject({
      value: { sortBy: 'execution_duration', sortOrder: 'asc', offset: 0, limit: 2 },
    });
  });

  it("pythonInt reads what Python's int() reads", () => {
    expect(pythonInt(' +12 ')).toBe(12);
    expect(pythonInt('1_000')).toBe(1000);
    expect(pythonInt('-7')).toBe(-7);
    expect(pythonInt('1__0')).toBeUndefined();
    expect(pythonInt('_1')).toBeUndefined();
    expect(pythonInt('0x10')).toBeUndefined();
    expect(pythonInt('1e3')).toBeUndefined();
  });
});

function job(id: string, status: Job['status'], fields: Partial<Job> = {}): Job {
  return { id, status, priority: 0, outputs_count: 0, previewable_outputs_count: 0, ...fields };
}

const query: JobsQuery = {
  statuses: undefined,
  workflowId: undefined,
  sortBy: 'created_at',
  sortOrder: 'desc',
  limit: undefined,
  offset: 0,
};

describe('selectJobs (ComfyUI get_all_jobs)', () => {
  const running = [job('r', 'in_progress', { create_time: 30 })];
  const pending = [job('p1', 'pending', { create_time: 40 }), job('p2', 'pending', { create_time: 50 })];
  const history = [
    job('old', 'completed', { execution_start_time: 5, execution_end_time: 9 }),
    job('h1', 'completed', { create_time: 10, execution_start_time: 100, execution_end_time: 400 }),
    job('h2', 'failed', { create_time: 20, execution_start_time: 500, execution_end_time: 600, workflow_id: 'w' }),
    job('h3', 'cancelled', { create_time: 25, workflow_id: 'w' }),
  ];
  const ids = (page: ReturnType<typeof selectJobs>): string[] => page.jobs.map((j) => j.id);

  it('sorts by create_time, newest first; a job without one counts as 0', () => {
    const page = selectJobs(running, pending, history, query);
    expect(ids(page)).toEqual(['p2', 'p1', 'r', 'h3', 'h2', 'h1', 'old']);
    expect(page.pagination).toEqual({ offset: 0, limit: null, total: 7, has_more: false });
    expect(ids(selectJobs(running, pending, history, { ...query, sortOrder: 'asc' }))).toEqual([
      'old',
      'h1',
      'h2',
      'h3',
      'r',
      'p1',
      'p2',
    ]);
  });

  it('keeps running, pending, history order for ties in either direction', () => {
    const tie = { create_time: 1 };
    const r = [job('r', 'in_progress', tie)];
    const p = [job('p', 'pending', tie)];
    const h = [job('h', 'completed', tie)];
    expect(ids(selectJobs(r, p, h, query))).toEqual(['r', 'p', 'h']);
    expect(ids(selectJobs(r, p, h, { ...query, sortOrder: 'asc' }))).toEqual(['r', 'p', 'h']);
  });

  it('sorts by run duration, 0 for a job that has not both times', () => {
    const page = selectJobs(running, pending, history, { ...query, sortBy: 'execution_duration' });
    // Durations: h1 300, h2 100, old 4, the rest 0 (ties in running, pending, history order).
    expect(ids(page)).toEqual(['h1', 'h2', 'old', 'r', 'p1', 'p2', 'h3']);
  });

  it('filters by status and workflow id', () => {
    expect(ids(selectJobs(running, pending, history, { ...query, statuses: ['failed', 'cancelled'] }))).toEqual([
      'h3',
      'h2',
    ]);
    expect(ids(selectJobs(running, pending, history, { ...query, statuses: ['in_progress'] }))).toEqual(['r']);
    expect(ids(selectJobs(running, pending, history, { ...query, statuses: [] }))).toEqual([]);
    expect(ids(selectJobs(running, pending, history, { ...query, workflowId: 'w' }))).toEqual(['h3', 'h2']);
  });

  it('pages with offset and limit, saying whether more follow', () => {
    const page = selectJobs(running, pending, history, { ...query, offset: 2, limit: 3 });
    expect(ids(page)).toEqual(['r', 'h3', 'h2']);
    expect(page.pagination).toEqual({ offset: 2, limit: 3, total: 7, has_more: true });
    const last = selectJobs(running, pending, history, { ...query, offset: 5, limit: 3 });
    expect(ids(last)).toEqual(['h1', 'old']);
    expect(last.pagination.has_more).toBe(false);
    expect(selectJobs(running, pending, history, { ...query, offset: 9 }).pagination).toEqual({
      offset: 9,
      limit: null,
      total: 7,
      has_more: false,
    });
  });
});
