import type { OnnxGraph, OnnxInitializer, OnnxNode } from './onnx-graph.js';
import { isFloatWeight } from './onnx-weights.js';

/**
 * Finds the weight of each linear and conv layer of an exported model, by the layer's torch module path, from the
 * graph itself: torch exports keep module paths in node names (`/down_blocks.0/attentions.0/…/to_q/MatMul`) while
 * a MatMul's weight is often an unnamed, transposed initializer (`onnx::MatMul_9123`, [in, out]); conv and Gemm
 * weights usually keep their parameter names (`down_blocks.0.resnets.0.conv1.weight`).
 */

export interface WeightTarget {
  /** The torch module path, e.g. `down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q`. */
  readonly module: string;
  readonly initializer: OnnxInitializer;
  /** The weight as torch holds it ([out, in, …]): `transposed` when the initializer is [in, out]. */
  readonly transposed: boolean;
  /** The torch shape, [out, in] or [out, in, kh, kw]. */
  readonly shape: readonly number[];
  readonly nodeName: string;
}

export interface WeightIndex {
  readonly targets: ReadonlyMap<string, WeightTarget>;
  /** Modules whose weight two different initializers claim: left out rather than patched at a guess. */
  readonly ambiguous: readonly string[];
}

/**
 * The module path in a torch export's node name. Each scope is named relative to the scope that called it, so a
 * child of a called container repeats the container's name (`/time/time.0/Gemm` is module `time.0`), while a
 * ModuleList's child, which is never called itself, does not (`/down_blocks.0/resnets.0/conv1/Conv`).
 */
export function modulePathOf(nodeName: string): string | undefined {
  if (!nodeName.startsWith('/')) return undefined;
  const scopes = nodeName.slice(1).split('/').slice(0, -1);
  if (scopes.length === 0) return undefined;
  const path: string[] = [];
  for (const scope of scopes) {
    const last = path[path.length - 1];
    if (last !== undefined && scope.startsWith(`${last}.`)) path[path.length - 1] = scope;
    else path.push(scope);
  }
  return path.join('.');
}

/** Ops a weight may pass through between its initializer and the layer (casts of fp16 weights, a transpose). */
const PASS_THROUGH = new Set(['Cast', 'Identity', 'Transpose']);

function isSwapPerm(node: OnnxNode): boolean {
  const perm = node.attributes.get('perm');
  return perm === undefined || (Array.isArray(perm) && perm.length === 2 && perm[0] === 1 && perm[1] === 0);
}

/** The initializer behind a node input, through casts and 2-D transposes, with how many transposes it passed. */
function traceInitializer(
  name: string,
  graph: OnnxGraph,
  producers: ReadonlyMap<string, OnnxNode>,
): { initializer: OnnxInitializer; transposes: number } | undefined {
  let current = name;
  let transposes = 0;
  for (let hops = 0; hops < 4; hops++) {
    const initializer = graph.initializers.get(current);
    if (initializer) return { initializer, transposes };
    const producer = producers.get(current);
    if (!producer || !PASS_THROUGH.has(producer.opType) || producer.inputs[0] === undefined) return undefined;
    if (producer.opType === 'Transpose') {
      if (!isSwapPerm(producer)) return undefined;
      transposes++;
    }
    current = producer.inputs[0];
  }
  return undefined;
}

/** A weight-carrying node's weight and whether it is stored [in, out] (before any transpose on the way). */
function weightOf(node: OnnxNode): { input: string; storedInOut: boolean } | undefined {
  const input = node.inputs[1];
  if (input === undefined) return undefined;
  if (node.opType === 'MatMul') return { input, storedInOut: true };
  if (node.opType === 'Gemm') return { input, storedInOut: node.attributes.get('transB') !== 1 };
  if (node.opType === 'Conv') return { input, storedInOut: false };
  return undefined;
}

function torchShape(initializer: OnnxInitializer, transposed: boolean): readonly number[] {
  const dims = initializer.dims;
  return transposed && dims.length === 2 ? [dims[1]!, dims[0]!] : dims;
}

export function indexWeights(graph: OnnxGraph): WeightIndex {
  const producers = new Map<string, OnnxNode>();
  for (const node of graph.nodes) for (const output of node.outputs) producers.set(output, node);
  const targets = new Map<string, WeightTarget>();
  const ambiguous = new Set<string>();
  for (const node of graph.nodes) {
    const weight = weightOf(node);
    if (!weight) continue;
    const traced = traceInitializer(weight.input, graph, producers);
    if (!traced || !isFloatWeight(traced.initializer)) continue;
    const { initializer } = traced;
    if (initializer.dims.length !== 2 && node.opType !== 'Conv') continue;
    const transposed = weight.storedInOut !== (traced.transposes % 2 === 1);
    // A parameter's own name (`….weight`) says its module exactly; else the node's scope does.
    const module = initializer.name.endsWith('.weight')
      ? initializer.name.slice(0, -'.weight'.length)
      : modulePathOf(node.name);
    if (module === undefined || ambiguous.has(module)) continue;
    const known = targets.get(module);
    if (known && known.initializer.name !== initializer.name) {
      targets.delete(module);
      ambiguous.add(module);
      continue;
    }
    targets.set(module, {
      module,
      initializer,
      transposed,
      shape: torchShape(initializer, transposed),
      nodeName: node.name,
    });
  }
  return { targets, ambiguous: [...ambiguous].sort() };
}
