import { randomUUID } from 'node:crypto';
import type { ExtraComboOptions } from '../nodes/contract/input-spec.js';
import type { NodeEnvironment } from '../nodes/contract/node-context.js';
import type { NodeRegistry } from '../nodes/contract/node-definition.js';
import { postPromptBodySchema, type NodeError } from '../shared/protocol.js';
import { err, ok, type Result } from '../shared/result.js';
import { validatePrompt, type PromptRefusal } from './prompt/validate.js';
import { estimateJobMemory, memoryBudgetError } from './prompt/memory-budget.js';
import type { PromptQueue } from './prompt-queue.js';
import type { QueuedJob } from './queued-job.js';

export interface AcceptedPrompt {
  readonly job: QueuedJob;
  /** Errors of the outputs that failed validation (the others run). */
  readonly nodeErrors: Record<string, NodeError>;
}

export type IntakeResult = Result<AcceptedPrompt, PromptRefusal>;

/**
 * Turns a `POST /prompt` body into a validated job, or ComfyUI's error shape; a job whose estimated peak
 * memory is over `memoryBudgetBytes` is refused on the node where the peak falls.
 */
export function acceptPrompt(
  body: unknown,
  registry: NodeRegistry,
  env: NodeEnvironment,
  queue: PromptQueue,
  memoryBudgetBytes: number,
  extraComboOptions?: ExtraComboOptions,
): IntakeResult {
  if (typeof body !== 'object' || body === null || !('prompt' in body)) {
    return err({
      error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} },
      nodeErrors: {},
    });
  }
  const parsed = postPromptBodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    return err({
      error: {
        type: 'invalid_prompt',
        message: 'Invalid prompt',
        details: `${where}: ${issue?.message ?? 'malformed body'}`,
        extra_info: {},
      },
      nodeErrors: {},
    });
  }
  const request = parsed.data;
  const validation = validatePrompt(request.prompt, registry, env, {
    ...(request.partial_execution_targets ? { partialExecutionTargets: request.partial_execution_targets } : {}),
    ...(extraComboOptions ? { extraComboOptions } : {}),
  });
  if (!validation.ok) return validation;
  const valid = validation.value;
  const memory = estimateJobMemory(valid.validated, { env, memoryBudgetBytes });
  if (memory.peakBytes > memoryBudgetBytes) return err(memoryBudgetError(memory, memoryBudgetBytes, valid.outputs));
  const extraData = { ...(request.extra_data ?? {}) };
  if (request.client_id !== undefined) extraData.client_id = request.client_id;
  // ComfyUI stamps every accepted prompt (ms since the epoch, a client's own value replaced): /api/jobs sorts by it.
  extraData.create_time = Date.now();
  const number = queue.assignNumber(request.number, request.front);
  const promptId = request.prompt_id ?? randomUUID();
  return ok({
    job: { number, promptId, prompt: valid.prompt, extraData, outputs: valid.outputs },
    nodeErrors: valid.nodeErrors,
  });
}
