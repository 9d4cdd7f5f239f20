import { Router, type Request, type Response } from 'express';
import { sendError } from '../http-errors.js';
import { HistoryJobViews } from '../jobs/history-job-views.js';
import { historyJobView, queuedJobView, readStoredEntry, type Job } from '../jobs/job-view.js';
import { parseJobsQuery, selectJobs } from '../jobs/jobs-query.js';
import type { ServerContext } from '../server-context.js';
import { JobStoreFaultError } from '../store/job-store.js';

/** A job store that cannot be read is a 503 with its reason, as `GET /history` answers it. */
function answerStoreFault(res: Response, error: unknown): void {
  if (!(error instanceof JobStoreFaultError)) throw error;
  sendError(res, 503, 'job_store_unavailable', error.message);
}

/** The request's query string as aiohttp reads it (repeated names: the first value), whatever Express parsed. */
function queryOf(req: Request): URLSearchParams {
  return new URL(req.originalUrl, 'http://localhost').searchParams;
}

/**
 * ComfyUI's job list (server.py `get_jobs`, `get_job_by_id`; comfy_execution/jobs.py), which the current frontend
 * reads its queue and history from. ComfyUI registers these at `/api/jobs` and its `/api` prefix doubles that; the
 * router is mounted at `/` and `/api` alike, which gives the same two paths. The queue and history are read in one
 * synchronous turn, so a job is never seen both running and finished, nor neither.
 */
export function jobRoutes(ctx: ServerContext): Router {
  const router = Router();
  const historyViews = new HistoryJobViews();

  router.get('/api/jobs', (req, res) => {
    const query = parseJobsQuery(queryOf(req));
    if (!query.ok) {
      res.status(400).json({ error: query.reason });
      return;
    }
    try {
      const snapshot = ctx.queue.snapshot();
      const history = historyViews.all({
        historyRefs: () => ctx.queue.historyAnswer(undefined, undefined, Number.POSITIVE_INFINITY).refs,
        historyTexts: (refs) => ctx.queue.historyTexts(refs),
      });
      const running = snapshot.running.map((job) => queuedJobView(job, 'in_progress'));
      const pending = snapshot.pending.map((job) => queuedJobView(job, 'pending'));
      res.json(selectJobs(running, pending, history, query.value));
    } catch (error) {
      answerStoreFault(res, error);
    }
  });

  router.get('/api/jobs/:jobId', (req, res) => {
    const jobId = req.params.jobId;
    let job: Job | undefined;
    try {
      const text = ctx.queue.historyText(jobId);
      const entry = text === undefined ? undefined : readStoredEntry(text);
      if (entry) job = historyJobView(jobId, entry, true);
    } catch (error) {
      return answerStoreFault(res, error);
    }
    if (!job) {
      const queued = ctx.queue.find(jobId);
      if (queued) job = queuedJobView(queued, ctx.queue.isRunning(jobId) ? 'in_progress' : 'pending', true);
    }
    if (!job) {
      res.status(404).json({ error: 'Job not found' });
      return;
    }
    res.json(job);
  });

  return router;
}
