import type { NodeContext, NodeEnvironment, SharedCaches } from '../../nodes/contract/node-context.js';
import type { NodeRegistry } from '../../nodes/contract/node-definition.js';
import type { UiOutput } from '../../shared/protocol.js';
import type { EngineEvent, ExecuteJob, ExecutionFailure, ExecutionResult } from '../engine/engine-events.js';
import { linkedSources, nodesReachedFrom, planExecution } from '../prompt/graph.js';
import type { LruCache } from './lru-cache.js';
import { stepPreviewOf } from './step-preview.js';
import { computeSignatures } from '../prompt/signature.js';
import { ownValue } from '../../shared/own-property.js';
import { sessionRunClock } from '../../nodes/runtime/onnx/session.js';

export class InterruptedError extends Error {
  constructor() {
    super('Processing interrupted');
    this.name = 'InterruptedError';
  }
}

export interface CachedResult {
  readonly outputs: readonly unknown[];
  readonly ui: UiOutput | undefined;
}

export interface ExecutorDeps {
  readonly registry: NodeRegistry;
  readonly env: NodeEnvironment;
  readonly outputCache: LruCache<string, CachedResult>;
  readonly caches: SharedCaches;
  /** The job's memory budget, handed to nodes (model calls are split to fit a share of it). */
  readonly memoryBudgetBytes: number;
  /** Reads the interrupt flag (shared memory): true once an interrupt was asked for. */
  readonly isInterrupted: () => boolean;
  readonly emit: (event: EngineEvent) => void;
}

/** Renders input values for `execution_error.current_inputs`: scalars as they are, anything else described. */
export function describeInputs(inputs: Readonly<Record<string, unknown>>): Record<string, unknown[]> {
  const described: Record<string, unknown[]> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) described[name] = [value];
    else if (typeof value === 'object' && 'batch' in value && 'height' in value && 'width' in value) {
      const shape = value as { batch: number; height: number; width: number; channels?: number };
      described[name] = [
        `${shape.channels !== undefined ? 'IMAGE' : 'MASK'}[${shape.batch}, ${shape.height}, ${shape.width}${shape.channels !== undefined ? `, ${shape.channels}` : ''}]`,
      ];
    } else described[name] = [Object.prototype.toString.call(value)];
  }
  return described;
}

/**
 * Runs one validated prompt: fingerprints, signatures, a plan of only what is not cached, then each node in
 * order, reporting every step through `emit`. Never throws: a failing node ends the run with its failure.
 */
export async function executePrompt(job: ExecuteJob, deps: ExecutorDeps): Promise<ExecutionResult> {
  const startedAt = performance.now();
  const sessionClockAtStart = { ...sessionRunClock };
  let nodeRunMs = 0;
  const executed: string[] = [];
  const outputs: Record<string, UiOutput> = {};
  const results = new Map<string, readonly unknown[]>();
  const { promptId, prompt } = job;
  const finish = (status: ExecutionResult['status'], extra: Partial<ExecutionResult> = {}): ExecutionResult => ({
    status,
    outputs,
    executed,
    ...extra,
    timing: {
      nodeRunMs,
      sessionRunMs: sessionRunClock.ms - sessionClockAtStart.ms,
      sessionRuns: sessionRunClock.calls - sessionClockAtStart.calls,
      totalMs: performance.now() - startedAt,
      nodesRun: executed.length,
    },
  });

  let currentNode = job.outputs[0] ?? '';
  let currentInputs: Record<string, unknown> = {};
  try {
    // Fingerprints (IS_CHANGED) from constant inputs only.
    const fingerprints = new Map<string, string>();
    for (const [id, node] of Object.entries(prompt)) {
      const nodeClass = deps.registry.get(node.class_type);
      if (!nodeClass) continue;
      const constants = Object.fromEntries(Object.entries(node.inputs).filter(([, value]) => !Array.isArray(value)));
      const fingerprint = await nodeClass.fingerprint(constants, deps.env);
      if (fingerprint !== undefined) fingerprints.set(id, fingerprint);
    }
    const signatures = computeSignatures(prompt, fingerprints);
    const isCached = (id: string): boolean => deps.outputCache.has(signatures.get(id)!);
    const plan = planExecution(prompt, job.outputs, isCached);
    // ComfyUI names every node the outputs reach whose result is cached, not only where planning stopped.
    const reached = new Set(nodesReachedFrom(prompt, job.outputs));
    deps.emit({ type: 'cached', promptId, nodes: Object.keys(prompt).filter((id) => reached.has(id) && isCached(id)) });
    // A result is let go once the last node that reads it has run (the cache may keep it, within its bounds): the
    // memory estimate (memory-budget.ts) counts on it.
    const readers = new Map<string, number>();
    for (const id of plan.toRun)
      for (const source of linkedSources(prompt, id)) readers.set(source, (readers.get(source) ?? 0) + 1);
    const release = (id: string): void => {
      for (const source of linkedSources(prompt, id)) {
        const left = (readers.get(source) ?? 1) - 1;
        readers.set(source, left);
        if (left === 0) results.delete(source);
      }
    };
    for (const id of plan.cached) {
      const cached = deps.outputCache.get(signatures.get(id)!)!;
      results.set(id, cached.outputs);
      if (deps.registry.get(prompt[id]!.class_type)!.outputNode) {
        if (cached.ui) outputs[id] = cached.ui;
        deps.emit({ type: 'node_done', promptId, node: id, ui: cached.ui, fromCache: true, ms: 0 });
      }
    }

    for (const id of plan.toRun) {
      currentNode = id;
      const node = prompt[id]!;
      const nodeClass = deps.registry.get(node.class_type)!;
      if (deps.isInterrupted()) throw new InterruptedError();
      const inputs: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(node.inputs)) {
        if (!Object.hasOwn(nodeClass.inputs, name)) continue;
        if (Array.isArray(value) && value.length === 2) {
          const upstream = results.get(String(value[0]));
          if (!upstream) throw new Error(`input ${name}: node #${String(value[0])} produced no result`);
          inputs[name] = upstream[Number(value[1])];
        } else inputs[name] = value;
      }
      currentInputs = inputs;
      deps.emit({ type: 'node_start', promptId, node: id });
      const controller = new AbortController();
      const ctx: NodeContext = {
        nodeId: id,
        promptId,
        signal: controller.signal,
        env: deps.env,
        caches: deps.caches,
        prompt,
        extraPngInfo: job.extraPngInfo,
        previewMethod: job.previewMethod,
        previewEvery: job.previewEvery,
        memoryBudgetBytes: deps.memoryBudgetBytes,
        throwIfInterrupted: () => {
          if (deps.isInterrupted()) {
            controller.abort();
            throw new InterruptedError();
          }
        },
        progress: (update) => {
          ctx.throwIfInterrupted();
          const preview = stepPreviewOf(update, job.previewMethod);
          deps.emit({
            type: 'progress',
            promptId,
            node: id,
            value: update.value,
            max: update.max,
            reportedAt: Date.now(),
            ...(preview ? { preview } : {}),
          });
        },
      };
      const runStarted = performance.now();
      const result = await nodeClass.run(inputs, ctx);
      const ms = performance.now() - runStarted;
      nodeRunMs += ms;
      if (result.outputs.length !== nodeClass.outputs.length) {
        throw new Error(
          `${node.class_type} returned ${result.outputs.length} outputs, but declares ${nodeClass.outputs.length}`,
        );
      }
      results.set(id, result.outputs);
      deps.outputCache.set(signatures.get(id)!, { outputs: result.outputs, ui: result.ui });
      executed.push(id);
      if (result.ui && nodeClass.outputNode) outputs[id] = result.ui;
      release(id);
      deps.emit({ type: 'node_done', promptId, node: id, ui: result.ui, fromCache: false, ms });
    }
    return finish('success');
  } catch (error) {
    const nodeType = ownValue(prompt, currentNode)?.class_type ?? '';
    if (
      error instanceof InterruptedError ||
      (error instanceof Error && error.name === 'AbortError' && deps.isInterrupted())
    ) {
      return finish('interrupted', { interruptedAt: { node: currentNode, nodeType } });
    }
    const failure: ExecutionFailure = {
      node: currentNode,
      nodeType,
      message: error instanceof Error ? error.message : String(error),
      exceptionType: error instanceof Error ? error.name : typeof error,
      traceback: error instanceof Error && error.stack ? error.stack.split('\n').map((line) => `${line}\n`) : [],
      currentInputs: describeInputs(currentInputs),
    };
    return finish('error', { failure });
  }
}
