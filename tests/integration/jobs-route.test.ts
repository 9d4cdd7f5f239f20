import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Job } from '../../server/jobs/job-view.js';
import type { JobsPage } from '../../server/jobs/jobs-query.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { copyFixtureModels } from '../helpers/diffusion.js';
import { makeTestEnv } from '../helpers/env.js';
import { TestGates } from '../helpers/gates.js';
import { gatedJob, job } from '../helpers/server-jobs.js';
import { getJson, postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';

let server: TestServer;
let socket: TestSocket;
const gateDirs = makeTestEnv('inkgraph-jobs-gates-');
// Enabled before the server starts: its registry and engine worker read the variable then.
const gates = new TestGates(gateDirs.root).enableInProcess();

beforeAll(async () => {
  server = await startTestServer();
  copyFixtureModels(server.dirs.modelsDir);
  socket = await TestSocket.open(server.url, 'jobs-client');
});
afterAll(async () => {
  socket.close();
  await server.stop();
  gateDirs.cleanup();
});

/** Queues a body with this socket's client id and the UI workflow id `workflowId`; returns the prompt id. */
async function queue(body: Record<string, unknown>, workflowId: string, extra: Record<string, unknown> = {}) {
  const response = await postJson(`${server.url}/prompt`, {
    ...body,
    client_id: socket.clientId,
    extra_data: { extra_pnginfo: { workflow: { id: workflowId, nodes: [] } }, ...extra },
  });
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  return (response.json as { prompt_id: string }).prompt_id;
}

async function jobs(query = ''): Promise<JobsPage> {
  const response = await getJson(`${server.url}/api/jobs${query}`);
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  return response.json as JobsPage;
}

async function oneJob(id: string): Promise<Job> {
  const response = await getJson(`${server.url}/api/jobs/${id}`);
  expect(response.status).toBe(200);
  return response.json as Job;
}

const statuses = (page: JobsPage): [string, string][] => page.jobs.map((j) => [j.id, j.status]);

/**
 * What the current ComfyUI frontend requires of a list answer (its jobTypes.ts zod schema, restated): a parse failure
 * there empties its queue and history panels.
 */
const frontendJobsList = z.object({
  jobs: z.array(
    z.object({
      id: z.string(),
      status: z.enum(['pending', 'in_progress', 'completed', 'failed', 'cancelled']),
      create_time: z.number(),
      execution_start_time: z.number().nullish(),
      execution_end_time: z.number().nullish(),
      preview_output: z.object({ nodeId: z.string(), mediaType: z.string() }).nullish(),
      outputs_count: z.number().nullish(),
      execution_error: z
        .object({
          node_id: z.string(),
          node_type: z.string(),
          exception_message: z.string(),
          exception_type: z.string(),
          traceback: z.array(z.string()),
        })
        .nullish(),
      workflow_id: z.string().nullish(),
      priority: z.number().optional(),
    }),
  ),
  pagination: z.object({ offset: z.number(), limit: z.number(), total: z.number(), has_more: z.boolean() }),
});

describe('GET /api/jobs through a real server', () => {
  let cancelled = '';
  let completed = '';
  let failed = '';
  let queuedFrom = 0;

  it('lists the running job and the pending one, newest first, with their create_time and workflow id', async () => {
    queuedFrom = Date.now();
    const held = gatedJob(gates, 'jobs-held', 1);
    cancelled = await queue(held, 'wf-held', { api_key_comfy_org: 'secret' });
    await gates.held('jobs-held');
    completed = await queue(job('jobs-done', 2, 2), 'wf-done');
    const queuedTo = Date.now();

    const page = await jobs();
    expect(statuses(page)).toEqual([
      [completed, 'pending'],
      [cancelled, 'in_progress'],
    ]);
    expect(page.pagination).toEqual({ offset: 0, limit: null, total: 2, has_more: false });
    const [pending, running] = page.jobs;
    expect(pending).toEqual({
      id: completed,
      status: 'pending',
      priority: expect.any(Number) as number,
      create_time: expect.any(Number) as number,
      outputs_count: 0,
      previewable_outputs_count: 0,
      workflow_id: 'wf-done',
    });
    expect(running!.priority).toBeLessThan(pending!.priority);
    for (const j of page.jobs) {
      expect(j.create_time).toBeGreaterThanOrEqual(queuedFrom);
      expect(j.create_time).toBeLessThanOrEqual(queuedTo);
    }
    expect(statuses(await jobs('?status=in_progress'))).toEqual([[cancelled, 'in_progress']]);
    expect(statuses(await jobs('?status=pending&workflow_id=wf-held'))).toEqual([]);

    // One job: its prompt and extra_data (without secrets), as ComfyUI's get_job includes them.
    const detail = await oneJob(cancelled);
    expect(detail.status).toBe('in_progress');
    expect(detail.workflow?.prompt).toEqual(held.prompt);
    expect(detail.workflow?.extra_data).toEqual({
      extra_pnginfo: { workflow: { id: 'wf-held', nodes: [] } },
      client_id: socket.clientId,
      create_time: running!.create_time,
    });
    // The same answer at ComfyUI's doubled prefix; the plain path is not one of its routes.
    expect((await getJson(`${server.url}/api/api/jobs/${cancelled}`)).json).toEqual(detail);
    expect((await getJson(`${server.url}/jobs`)).status).toBe(404);
  });

  it('after the runs end: cancelled, completed and failed, with times, outputs and the error', async () => {
    expect((await postJson(`${server.url}/interrupt`, { prompt_id: cancelled })).status).toBe(200);
    await socket.waitForEnd(cancelled);
    await socket.waitForEnd(completed);
    writeFileSync(join(server.dirs.inputDir, 'jobs-broken.png'), 'this is not a png');
    const broken: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'jobs-broken.png' } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'jobs-broken' } },
    };
    failed = await queue({ prompt: broken }, 'wf-broken');
    await socket.waitForEnd(failed);

    const page = await jobs();
    expect(statuses(page)).toEqual([
      [failed, 'failed'],
      [completed, 'completed'],
      [cancelled, 'cancelled'],
    ]);
    const [fail, done, stopped] = page.jobs;
    expect(done).toMatchObject({
      outputs_count: 1,
      previewable_outputs_count: 1,
      preview_output: {
        filename: 'jobs-done_00001_.png',
        subfolder: '',
        type: 'output',
        nodeId: '9',
        mediaType: 'images',
      },
      workflow_id: 'wf-done',
    });
    expect(done!.execution_end_time).toBeGreaterThanOrEqual(Number(done!.execution_start_time));
    expect(done!.execution_start_time).toBeGreaterThanOrEqual(Number(done!.create_time));
    expect('execution_error' in done!).toBe(false);
    expect(fail!.execution_error).toMatchObject({ prompt_id: failed, node_id: '1', node_type: 'LoadImage' });
    expect(stopped).toMatchObject({ outputs_count: 0, workflow_id: 'wf-held' });
    expect(stopped!.execution_end_time).toEqual(expect.any(Number));
    expect('execution_error' in stopped! || 'preview_output' in stopped!).toBe(false);

    const detail = await oneJob(completed);
    expect(detail.outputs).toEqual({
      '9': { images: [{ filename: 'jobs-done_00001_.png', subfolder: '', type: 'output' }] },
    });
    expect(detail.execution_status).toMatchObject({ status_str: 'success', completed: true });
    expect(Object.keys(detail.workflow?.prompt ?? {}).sort()).toEqual(['3', '4', '5', '6', '7', '8', '9']);
  });

  it('filters, sorts and pages the finished jobs', async () => {
    // The frontend's two calls: its queue, and a page of its history.
    for (const query of [
      '?status=in_progress,pending&limit=200&offset=0',
      '?status=completed,failed,cancelled&limit=64&offset=0',
    ])
      expect(frontendJobsList.safeParse(await jobs(query)).error).toBeUndefined();
    expect(statuses(await jobs('?status=failed,CANCELLED&sort_order=asc'))).toEqual([
      [cancelled, 'cancelled'],
      [failed, 'failed'],
    ]);
    expect(statuses(await jobs('?workflow_id=wf-done'))).toEqual([[completed, 'completed']]);
    const page = await jobs('?limit=1&offset=1');
    expect(statuses(page)).toEqual([[completed, 'completed']]);
    expect(page.pagination).toEqual({ offset: 1, limit: 1, total: 3, has_more: true });
    // Longest run first, by the runs' own start and end times.
    const duration = (j: Job): number => Number(j.execution_end_time) - Number(j.execution_start_time);
    const byDuration = (await jobs('?sort_by=execution_duration')).jobs.map(duration);
    expect(byDuration).toHaveLength(3);
    expect(byDuration).toEqual([...byDuration].sort((a, b) => b - a));
    expect(byDuration[0]).toBeGreaterThan(byDuration[2]!);
  });

  it("answers ComfyUI's errors for bad parameters and unknown jobs", async () => {
    expect(await getJson(`${server.url}/api/jobs?status=done`)).toEqual({
      status: 400,
      json: {
        error: 'Invalid status value(s): done. Valid values: pending, in_progress, completed, failed, cancelled',
      },
    });
    expect(await getJson(`${server.url}/api/jobs?limit=0`)).toEqual({
      status: 400,
      json: { error: 'limit must be a positive integer' },
    });
    expect(await getJson(`${server.url}/api/jobs/no-such-job`)).toEqual({
      status: 404,
      json: { error: 'Job not found' },
    });
  });

  it('a history entry deleted is no longer listed', async () => {
    expect((await postJson(`${server.url}/history`, { delete: [completed] })).status).toBe(200);
    expect(statuses(await jobs())).toEqual([
      [failed, 'failed'],
      [cancelled, 'cancelled'],
    ]);
    expect((await getJson(`${server.url}/api/jobs/${completed}`)).status).toBe(404);
  });
});
