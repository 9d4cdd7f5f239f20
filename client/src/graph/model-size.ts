import { isFarFromModelSize, type ModelSize, type ModelSizes } from '../../../shared/model-sizes.js';
import { isInkNode, type EditorGraph, type InkNode } from './types.js';

/** The nodes whose width and height are an image size the model samples at. */
const SIZED_CLASSES = new Set(['EmptyLatentImage']);

/**
 * The training size of the graph's model: the first checkpoint loader's, when the server knows it. (One graph
 * mostly has one; the editor only uses this to start a size and to warn.) Pure.
 */
export function graphModelSize(
  graph: Pick<EditorGraph, 'nodes'>,
  sizes: ModelSizes,
): { model: string; size: ModelSize } | undefined {
  for (const node of graph.nodes) {
    if (!isInkNode(node) || node.data.classType !== 'CheckpointLoaderSimple') continue;
    const model = node.data.widgets.ckpt_name;
    if (typeof model === 'string' && Object.hasOwn(sizes, model)) return { model, size: sizes[model]! };
  }
  return undefined;
}

/** Whether a node's width and height are the size the model samples at. */
export function isSizedClass(classType: string): boolean {
  return SIZED_CLASSES.has(classType);
}

/** A new sized node starting at the model's size instead of its class default (512×512 for Empty Latent Image). */
export function sizedForModel(node: InkNode, native: ModelSize | undefined): InkNode {
  if (!native || !SIZED_CLASSES.has(node.data.classType)) return node;
  return {
    ...node,
    data: { ...node.data, widgets: { ...node.data.widgets, width: native.width, height: native.height } },
  };
}

/** Whether a sized node asks for a size far from the model's (the editor warns; the run is not refused). */
export function farFromModel(node: Pick<InkNode, 'data'>, native: ModelSize | undefined): boolean {
  if (!native || !SIZED_CLASSES.has(node.data.classType)) return false;
  const { width, height } = node.data.widgets;
  return typeof width === 'number' && typeof height === 'number' && isFarFromModelSize(native, width, height);
}
