import type { NodeContext, NodeEnvironment, SharedCaches } from '../../nodes/contract/node-context.js';
import type { NodeRegistry } from '../../nodes/contract/node-definition.js';
import type { UiOutput } from '../../shared/protocol.js';
import type { EngineEvent, ExecuteJob, ExecutionFailure, ExecutionResult } from '../engine/engine-events.js';
import { planExecution } from '../prompt/graph.js';
import { readValidatedPrompt } from '../prompt/read-validated-prompt.js';
import { computeSignatures } from '../prompt/signature.js';
import { constantInputs, linkSources, type ValidatedNode } from '../prompt/validated-prompt.js';
import type { LruCache } from './lru-cache.js';
import { stepPreviewOf } from './step-preview.js';
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
  const { promptId } = job;
  const timing = (): ExecutionResult['timing'] => ({
    nodeRunMs,
    sessionRunMs: sessionRunClock.ms - sessionClockAtStart.ms,
    sessionRuns: sessionRunClock.calls - sessionClockAtStart.calls,
    totalMs: performance.now() - startedAt,
    nodesRun: executed.length,
  });

  let currentNode = job.outputs[0] ?? '';
  let currentType = '';
  let currentInputs: Record<string, unknown> = {};
  try {
    // The queued prompt was validated on the main thread; it is read typed here, with this thread's classes.
    const read = readValidatedPrompt(job.prompt, job.outputs, deps.registry);
    if (!read.ok) throw new Error(read.reason);
    const prompt = read.value;
    currentType = prompt.nodes.get(currentNode)?.classType ?? '';
    // Fingerprints (IS_CHANGED) from constant inputs only.
    const fingerprints = new Map<string, string>();
    for (const [id, node] of prompt.nodes) {
      const fingerprint = await node.nodeClass.fingerprint(constantInputs(node), deps.env);
      if (fingerprint !== undefined) fingerprints.set(id, fingerprint);
    }
    const signatures = computeSignatures(prompt, fingerprints);
    const signatureOf = (id: string): string => signatures.get(id) ?? '';
    const isCached = (id: string): boolean => deps.outputCache.has(signatureOf(id));
    const plan = planExecution(prompt, isCached);
    // ComfyUI names every node the outputs reach whose result is cached, not only where planning stopped.
    deps.emit({ type: 'cached', promptId, nodes: [...prompt.nodes.keys()].filter(isCached) });
    // A result is let go once the last node that reads it has run (the cache may keep it, within its bounds): the
    // memory estimate (memory-budget.ts) counts on it.
    const toRun: ValidatedNode[] = [];
    for (const id of plan.toRun) {
      const node = prompt.nodes.get(id);
      if (node) toRun.push(node);
    }
    const readers = new Map<string, number>();
    for (const node of toRun)
      for (const source of linkSources(node)) readers.set(source, (readers.get(source) ?? 0) + 1);
    const release = (node: ValidatedNode): void => {
      for (const source of linkSources(node)) {
        const left = (readers.get(source) ?? 1) - 1;
        readers.set(source, left);
        if (left === 0) results.delete(source);
      }
    };
    for (const id of plan.cached) {
      const cached = deps.outputCache.get(signatureOf(id));
      if (!cached) continue;
      results.set(id, cached.outputs);
      if (prompt.nodes.get(id)?.nodeClass.outputNode === true) {
        if (cached.ui) outputs[id] = cached.ui;
        deps.emit({ type: 'node_done', promptId, node: id, ui: cached.ui, fromCache: true, ms: 0 });
      }
    }

    for (const node of toRun) {
      const { id, nodeClass } = node;
      currentNode = id;
      currentType = node.classType;
      if (deps.isInterrupted()) throw new InterruptedError();
      const inputs: Record<string, unknown> = {};
      for (const [name, input] of node.inputs) {
        if (input.kind === 'constant') {
          inputs[name] = input.value;
          continue;
        }
        const upstream = results.get(input.from);
        if (!upstream) throw new Error(`input ${name}: node #${input.from} produced no result`);
        inputs[name] = upstream[input.slot];
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
        prompt: job.prompt,
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
          `${node.classType} returned ${result.outputs.length} outputs, but declares ${nodeClass.outputs.length}`,
        );
      }
      results.set(id, result.outputs);
      deps.outputCache.set(signatureOf(id), { outputs: result.outputs, ui: result.ui });
      executed.push(id);
      if (result.ui && nodeClass.outputNode) outputs[id] = result.ui;
      release(node);
      deps.emit({ type: 'node_done', promptId, node: id, ui: result.ui, fromCache: false, ms });
    }
    return { status: 'success', outputs, executed, timing: timing() };
  } catch (error) {
    const nodeType = currentType;
    if (
      error instanceof InterruptedError ||
      (error instanceof Error && error.name === 'AbortError' && deps.isInterrupted())
    ) {
      return {
        status: 'interrupted',
        outputs,
        executed,
        interruptedAt: { node: currentNode, nodeType },
        timing: timing(),
      };
    }
    const failure: ExecutionFailure = {
      node: currentNode,
      nodeType,
      message: error instanceof Error ? error.message : String(error),
      exceptionType: error instanceof Error ? error.name : typeof error,
      traceback: error instanceof Error && error.stack ? error.stack.split('\n').map((line) => `${line}\n`) : [],
      currentInputs: describeInputs(currentInputs),
    };
    return { status: 'error', outputs, executed, failure, timing: timing() };
  }
}
