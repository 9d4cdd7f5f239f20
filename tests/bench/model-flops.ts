/**
 * Floating-point work of one call of a model made only of stride-1 "same" convolutions and elementwise ops at one
 * resolution (the generated SD-shaped UNets): 2·N·H·W·C_out·C_in/group·k_h·k_w per Conv, read from its weights.
 * Anything it cannot count exactly (strides, dilations, other padding, MatMul, Gemm) is refused by name, so a
 * figure it prints is exact; elementwise ops are left out (their FLOPs are < 1% of these convolutions').
 */
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;

const COUNTED_ELSEWHERE = new Set(['MatMul', 'Gemm', 'ConvTranspose', 'Einsum', 'Attention']);

function intsAttribute(node: Node, name: string): number[] | undefined {
  const found = (node.attribute ?? []).find((attribute) => attribute.name === name);
  return found ? (found.ints ?? []).map(Number) : undefined;
}

function intAttribute(node: Node, name: string, fallback: number): number {
  const found = (node.attribute ?? []).find((attribute) => attribute.name === name);
  return found ? Number(found.i) : fallback;
}

/** FLOPs of one call on `batch` rows of `height`×`width` (the input's spatial size, kept by every Conv). */
export function convFlops(modelPath: string, batch: number, height: number, width: number): number {
  const model = onnx.ModelProto.decode(readFileSync(modelPath));
  const graph = model.graph;
  if (!graph) throw new Error(`${modelPath} has no graph`);
  const weights = new Map(
    (graph.initializer ?? []).map((tensor) => [tensor.name ?? '', (tensor.dims ?? []).map(Number)]),
  );
  let flops = 0;
  for (const node of graph.node ?? []) {
    const named = node.name || node.output?.[0] || '?';
    if (COUNTED_ELSEWHERE.has(node.opType ?? ''))
      throw new Error(`${modelPath}: node ${named} is ${node.opType}, which this count omits`);
    if (node.opType !== 'Conv') continue;
    const where = `${modelPath}: Conv ${named}`;
    const dims = weights.get(node.input?.[1] ?? '');
    if (!dims || dims.length !== 4) throw new Error(`${where} has no 4-d weight initializer`);
    const [outChannels, inPerGroup, kh, kw] = dims as [number, number, number, number];
    const strides = intsAttribute(node, 'strides') ?? [1, 1];
    const dilations = intsAttribute(node, 'dilations') ?? [1, 1];
    const pads = intsAttribute(node, 'pads') ?? [0, 0, 0, 0];
    const same = [(kh - 1) / 2, (kw - 1) / 2, (kh - 1) / 2, (kw - 1) / 2];
    if (strides.some((s) => s !== 1) || dilations.some((d) => d !== 1) || pads.some((p, i) => p !== same[i]))
      throw new Error(
        `${where} changes the resolution (strides ${strides.join(',')}, pads ${pads.join(',')}); this count assumes it keeps it`,
      );
    if (intAttribute(node, 'group', 1) < 1) throw new Error(`${where} has no valid group`);
    flops += 2 * batch * height * width * outChannels * inPerGroup * kh * kw;
  }
  return flops;
}
