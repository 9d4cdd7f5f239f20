import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { parseJsonBody, sendError } from '../http-errors.js';
import { acceptPrompt } from '../prompt-intake.js';
import type { ServerContext } from '../server-context.js';
import { JobStoreFaultError } from '../store/job-store.js';
import { writeHistoryAnswer } from './history-answer.js';
import { queueAnswer } from './queue-answer.js';

const queueChangeSchema = z.object({ clear: z.boolean().optional(), delete: z.array(z.string()).optional() });
const freeSchema = z.object({ unload_models: z.boolean().optional(), free_memory: z.boolean().optional() });

function optionalInt(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const number = Number.parseInt(value, 10);
  return Number.isFinite(number) ? number : undefined;
}

/** A job store that cannot read or write (full, damaged, read-only) is a 503 with its reason; anything else goes on. */
function answerStoreFault(res: Response, error: unknown): void {
  if (!(error instanceof JobStoreFaultError)) throw error;
  sendError(res, 503, 'job_store_unavailable', error.message);
}

/** Runs a change the job store must write, then `answer`; a store fault is answered 503 instead. */
function storeWrite(res: Response, change: () => void, answer: () => void): void {
  try {
    change();
  } catch (error) {
    return answerStoreFault(res, error);
  }
  answer();
}

/** A `{clear?, delete?: [prompt_id, …]}` body (`POST /queue`, `POST /history`) applied by `change`, then `{}`. */
function clearOrDelete(
  req: Request,
  res: Response,
  change: (removal: z.infer<typeof queueChangeSchema>) => void,
): void {
  const body = parseJsonBody(req.body);
  if (!body.ok) return sendError(res, 400, body.reason.type, body.reason.message);
  const parsed = queueChangeSchema.safeParse(body.value ?? {});
  if (!parsed.success)
    return sendError(res, 400, 'invalid_request', 'expected {"clear"?: boolean, "delete"?: [prompt_id, …]}');
  storeWrite(
    res,
    () => change(parsed.data),
    () => res.status(200).json({}),
  );
}

/** Queueing, queue, interrupt, history and free: ComfyUI's execution routes with its exact shapes. */
export function promptRoutes(ctx: ServerContext): Router {
  const router = Router();

  router.get('/prompt', (_req, res) => {
    res.json({ exec_info: { queue_remaining: ctx.queue.remaining } });
  });

  router.post('/prompt', async (req, res) => {
    if (ctx.execution.isDraining)
      return sendError(
        res,
        503,
        'server_shutting_down',
        'the server is shutting down and takes no new prompts; queue it again once it is back',
      );
    const body = parseJsonBody(req.body);
    if (!body.ok) return sendError(res, 400, body.reason.type, body.reason.message);
    const accepted = acceptPrompt(
      body.value,
      ctx.registry,
      ctx.env,
      ctx.queue,
      ctx.options.maxMemoryBytes,
      ctx.runner.extraComboOptions(),
    );
    if (!accepted.ok) {
      res.status(400).json({ error: accepted.reason.error, node_errors: accepted.reason.nodeErrors });
      return;
    }
    const result = accepted.value;
    const { number, promptId, prompt } = result.job;
    const queued = ctx.queue.find(promptId);
    if (queued) {
      // A client retrying a POST it got no answer to (the server restarted, say) is told the job is there; the same
      // id for a different prompt is refused rather than running either one twice or losing one.
      if (JSON.stringify(queued.prompt) === JSON.stringify(prompt)) {
        res.json({ prompt_id: promptId, number: queued.number, node_errors: result.nodeErrors });
        return;
      }
      return sendError(
        res,
        400,
        'duplicate_prompt_id',
        `prompt_id ${promptId} is already queued with a different prompt`,
      );
    }
    try {
      await ctx.execution.submit(result.job);
    } catch (error) {
      return sendError(
        res,
        503,
        'queue_store_failed',
        `the job could not be stored, so it was not queued: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    res.json({ prompt_id: promptId, number, node_errors: result.nodeErrors });
  });

  router.get('/queue', (_req, res) => {
    res.json(queueAnswer(ctx.queue.snapshot(), ctx.queue.paused));
  });

  router.post('/queue', (req, res) => {
    clearOrDelete(req, res, (removal) => ctx.queue.removePending(removal));
  });

  router.post('/queue/pause', (_req, res) => {
    storeWrite(
      res,
      () => ctx.execution.setPaused(true),
      () => res.json({ paused: true }),
    );
  });

  router.post('/queue/resume', (_req, res) => {
    storeWrite(
      res,
      () => ctx.execution.setPaused(false),
      () => res.json({ paused: false }),
    );
  });

  router.post('/interrupt', (req, res) => {
    const body = parseJsonBody(req.body);
    const value = body.ok ? body.value : undefined;
    const promptId =
      typeof value === 'object' && value !== null && 'prompt_id' in value && typeof value.prompt_id === 'string'
        ? value.prompt_id
        : undefined;
    ctx.execution.interrupt(promptId);
    res.status(200).json({});
  });

  router.post('/free', (req, res) => {
    const body = parseJsonBody(req.body);
    if (!body.ok) return sendError(res, 400, body.reason.type, body.reason.message);
    const request = freeSchema.safeParse(body.value ?? {});
    if (!request.success)
      return sendError(res, 400, 'invalid_request', 'expected {"unload_models"?: boolean, "free_memory"?: boolean}');
    ctx.engine.free({
      unloadModels: request.data.unload_models ?? false,
      freeMemory: request.data.free_memory ?? false,
    });
    res.status(200).json({});
  });

  // Entries are written from their stored JSON text, never parsed; an answer holds at most historyAnswerBytes.
  router.get('/history', async (req, res) => {
    try {
      const plan = ctx.queue.historyAnswer(
        optionalInt(req.query.max_items),
        optionalInt(req.query.offset),
        ctx.options.historyAnswerBytes,
      );
      await writeHistoryAnswer(res, plan, (refs) => ctx.queue.historyTexts(refs));
    } catch (error) {
      answerStoreFault(res, error);
    }
  });

  router.get('/history/:promptId', (req, res) => {
    try {
      const text = ctx.queue.historyText(req.params.promptId);
      res.type('application/json').send(text === undefined ? '{}' : `{${JSON.stringify(req.params.promptId)}:${text}}`);
    } catch (error) {
      answerStoreFault(res, error);
    }
  });

  router.post('/history', (req, res) => {
    clearOrDelete(req, res, (removal) => {
      if (removal.clear) ctx.queue.clearHistory();
      if (removal.delete) ctx.queue.deleteHistory(removal.delete);
    });
  });

  return router;
}
