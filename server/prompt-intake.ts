import { randomUUID } from 'node:crypto';
import type { NodeEnvironment } from '../nodes/contract/node-context.js';
import type { NodeRegistry } from '../nodes/contract/node-definition.js';
import { postPromptBodySchema, type NodeError, type PromptError } from '../shared/protocol.js';
import { validatePrompt } from './prompt/validate.js';
import { estimateJobMemory, memoryBudgetError } from './prompt/memory-budget.js';
import type { PromptQueue } from './prompt-queue.js';
import type { QueuedJob } from './queued-job.js';

export type IntakeResult =
  | { ok: true; job: QueuedJob; nodeErrors: Record<string, NodeError> }
  | { ok: false; error: PromptError; nodeErrors: Record<string, NodeError> };

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
): IntakeResult {
  if (typeof body !== 'object' || body === null || !('prompt' in body)) {
    return {
      ok: false,
      error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} },
      nodeErrors: {},
    };
  }
  const parsed = postPromptBodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    return {
      ok: false,
      error: {
        type: 'invalid_prompt',
        message: 'Invalid prompt',
        details: `${where}: ${issue?.message ?? 'malformed body'}`,
        extra_info: {},
      },
      nodeErrors: {},
    };
  }
  const request = parsed.data;
  const validation = validatePrompt(
    request.prompt,
    registry,
    env,
    request.partial_execution_targets ? { partialExecutionTargets: request.partial_execution_targets } : {},
  );
  if (!validation.ok) return { ok: false, error: validation.error, nodeErrors: validation.nodeErrors };
  const memory = estimateJobMemory(validation.prompt, validation.outputs, registry, { env, memoryBudgetBytes });
  if (memory.peakBytes > memoryBudgetBytes) {
    const refused = memoryBudgetError(memory, memoryBudgetBytes, validation.outputs);
    return { ok: false, error: refused.error, nodeErrors: refused.nodeErrors };
  }
  const extraData = { ...(request.extra_data ?? {}) };
  if (request.client_id !== undefined) extraData.client_id = request.client_id;
  const number = queue.assignNumber(request.number, request.front);
  const promptId = request.prompt_id ?? randomUUID();
  return {
    ok: true,
    job: { number, promptId, prompt: validation.prompt, extraData, outputs: validation.outputs },
    nodeErrors: validation.nodeErrors,
  };
}
