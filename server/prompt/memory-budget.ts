import type { EstimateContext } from '../../nodes/contract/node-context.js';
import {
  describeShape,
  shapeBytes,
  shapeKindOf,
  type NodeMemory,
  type ValueShape,
} from '../../nodes/contract/memory.js';
import { formatBytes } from '../../shared/format-bytes.js';
import type { PromptError } from '../../shared/protocol.js';
import { planExecution } from './graph.js';
import type { PromptRefusal } from './validate.js';
import { linkSources, type ValidatedNode, type ValidatedPrompt } from './validated-prompt.js';

/**
 * A job's peak memory, estimated before it runs: the nodes in the order the executor runs them, each holding its
 * inputs, its working memory and its outputs while it runs; a result is let go once the last node that reads it
 * has run (as the executor does); models' weights count once from the node that loads them. The output cache
 * (--cache-memory) is bounded apart and not counted here. Pure apart from what nodes' estimates read (file
 * headers, model folders).
 */

export interface NodeEstimate {
  readonly node: string;
  readonly classType: string;
  /** Bytes held while this node ran: live results, its working memory, its outputs and the loaded weights. */
  readonly peakBytes: number;
  readonly memory: NodeMemory;
}

export interface JobEstimate {
  readonly peakBytes: number;
  /** The node running when the peak is reached. */
  readonly peak: NodeEstimate | undefined;
  readonly nodes: readonly NodeEstimate[];
}

function nodeInputs(
  node: ValidatedNode,
  shapes: ReadonlyMap<string, readonly (ValueShape | undefined)[]>,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [name, value] of node.inputs) {
    if (value.kind === 'constant') {
      inputs[name] = value.value;
      continue;
    }
    const input = node.nodeClass.inputs[name];
    const shape = shapes.get(value.from)?.[value.slot];
    // Only a shape of the kind the socket carries reaches the node's estimate.
    if (input?.kind === 'SOCKET' && shape && shapeKindOf(input.type) === shape.kind) inputs[name] = shape;
  }
  return inputs;
}

/** The peak memory of running a validated prompt's outputs, node by node as the executor runs them. */
export function estimateJobMemory(prompt: ValidatedPrompt, ctx: EstimateContext): JobEstimate {
  const { toRun } = planExecution(prompt, () => false);
  const readers = new Map<string, number>();
  for (const id of toRun)
    for (const source of sourcesOf(prompt, id)) readers.set(source, (readers.get(source) ?? 0) + 1);

  const shapes = new Map<string, readonly (ValueShape | undefined)[]>();
  const resultBytes = new Map<string, number>();
  const loaded = new Map<string, number>();
  let liveBytes = 0;
  let weightsBytes = 0;
  const nodes: NodeEstimate[] = [];
  let peak: NodeEstimate | undefined;
  for (const id of toRun) {
    const node = prompt.nodes.get(id);
    if (!node) continue;
    let memory: NodeMemory;
    try {
      memory = node.nodeClass.estimate(nodeInputs(node, shapes), ctx);
    } catch {
      // An estimate that cannot read what it needs (a file gone since validation) counts nothing; the run will say why.
      memory = { outputs: [], workingBytes: 0 };
    }
    for (const model of memory.models ?? []) {
      if (loaded.has(model.key)) continue;
      loaded.set(model.key, model.bytes);
      weightsBytes += model.bytes;
    }
    const outputBytes = memory.outputs.reduce((sum, shape) => sum + shapeBytes(shape), 0);
    const estimate: NodeEstimate = {
      node: id,
      classType: node.classType,
      peakBytes: liveBytes + memory.workingBytes + outputBytes + weightsBytes,
      memory,
    };
    nodes.push(estimate);
    if (!peak || estimate.peakBytes > peak.peakBytes) peak = estimate;
    shapes.set(id, memory.outputs);
    resultBytes.set(id, outputBytes);
    liveBytes += outputBytes;
    for (const source of linkSources(node)) {
      const left = (readers.get(source) ?? 1) - 1;
      readers.set(source, left);
      if (left === 0) liveBytes -= resultBytes.get(source) ?? 0;
    }
  }
  return { peakBytes: peak?.peakBytes ?? 0, peak, nodes };
}

function sourcesOf(prompt: ValidatedPrompt, id: string): string[] {
  const node = prompt.nodes.get(id);
  return node ? linkSources(node) : [];
}

/** The error that refuses a job over the budget, on the node running at the peak and the input that drives it. */
export function memoryBudgetError(
  estimate: JobEstimate,
  budgetBytes: number,
  outputs: readonly string[],
): PromptRefusal {
  const message = `Estimated memory ${formatBytes(estimate.peakBytes)} is over the server's budget of ${formatBytes(budgetBytes)} (--max-memory)`;
  const peak = estimate.peak;
  // No node to blame only when nothing runs, which no validated prompt asks for.
  if (!peak) return { error: budgetError(message, '', '', estimate.peakBytes, budgetBytes), nodeErrors: {} };
  const largestOutput = peak.memory.outputs.reduce<ValueShape | undefined>(
    (best, shape) => (shapeBytes(shape) > shapeBytes(best) ? shape : best),
    undefined,
  );
  const parts = [
    peak.memory.driver ? `${peak.memory.driver.input}: ${peak.memory.driver.why}` : undefined,
    peak.memory.workingBytes > 0 ? `working memory ${formatBytes(peak.memory.workingBytes)}` : undefined,
    largestOutput ? `output ${describeShape(largestOutput)} ${formatBytes(shapeBytes(largestOutput))}` : undefined,
  ].filter((part): part is string => part !== undefined);
  const details = `#${peak.node} ${peak.classType} at its peak: ${parts.join('; ')}. Make the images or the batch smaller, or start the server with a larger --max-memory.`;
  const error = budgetError(message, details, peak.memory.driver?.input ?? '', estimate.peakBytes, budgetBytes);
  return {
    error,
    nodeErrors: { [peak.node]: { errors: [error], dependent_outputs: [...outputs], class_type: peak.classType } },
  };
}

function budgetError(
  message: string,
  details: string,
  inputName: string,
  estimatedBytes: number,
  budgetBytes: number,
): PromptError {
  return {
    type: 'memory_budget_exceeded',
    message,
    details,
    extra_info: { input_name: inputName, estimated_bytes: estimatedBytes, budget_bytes: budgetBytes },
  };
}
