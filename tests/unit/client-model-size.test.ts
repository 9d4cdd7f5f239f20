import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { addNode } from '../../client/src/graph/add-node.js';
import { farFromModel, graphModelSize } from '../../client/src/graph/model-size.js';
import { createNode } from '../../client/src/graph/node-factory.js';
import { isInkNode, type EditorGraph } from '../../client/src/graph/types.js';
import { makeTestEnv } from '../helpers/env.js';

const env = makeTestEnv('inkgraph-model-size-');
const objectInfo = buildObjectInfo(createRegistry(), { ...env, modelsDir: env.modelsDir });
const sizes = { 'inkgraph-emoji': { width: 64, height: 64 } };

function withCheckpoint(ckpt: string): EditorGraph {
  const loader = createNode(objectInfo.CheckpointLoaderSimple!, '4', { x: 0, y: 0 }, 'Load Checkpoint');
  return { nodes: [{ ...loader, data: { ...loader.data, widgets: { ckpt_name: ckpt } } }], edges: [] };
}

describe("sizes that fit the graph's model", () => {
  it("starts a new Empty Latent Image at the model's training size, other nodes as they are", () => {
    const graph = withCheckpoint('inkgraph-emoji');
    const native = graphModelSize(graph, sizes);
    expect(native).toEqual({ model: 'inkgraph-emoji', size: { width: 64, height: 64 } });
    const added = addNode(graph, objectInfo.EmptyLatentImage!, { x: 0, y: 0 }, objectInfo, undefined, native?.size);
    const latent = added.nodes.find((node) => isInkNode(node) && node.data.classType === 'EmptyLatentImage');
    expect(isInkNode(latent) && latent.data.widgets).toMatchObject({ width: 64, height: 64, batch_size: 1 });
    const scaled = addNode(graph, objectInfo.ImageScale!, { x: 0, y: 0 }, objectInfo, undefined, native?.size);
    const scale = scaled.nodes.find((node) => isInkNode(node) && node.data.classType === 'ImageScale');
    expect(isInkNode(scale) && scale.data.widgets.width).toBe(512);
  });

  it('keeps the class default when the model’s size is unknown', () => {
    expect(graphModelSize(withCheckpoint('tiny-sd-fp32'), sizes)).toBeUndefined();
    const added = addNode({ nodes: [], edges: [] }, objectInfo.EmptyLatentImage!, { x: 0, y: 0 }, objectInfo);
    const latent = added.nodes[0];
    expect(isInkNode(latent) && latent.data.widgets).toMatchObject({ width: 512, height: 512 });
  });

  it('warns for a size far from the model’s, not for one near it', () => {
    const node = createNode(objectInfo.EmptyLatentImage!, '5', { x: 0, y: 0 }, 'Empty Latent Image');
    const native = { width: 64, height: 64 };
    expect(farFromModel(node, native)).toBe(true);
    expect(
      farFromModel({ data: { ...node.data, widgets: { ...node.data.widgets, width: 96, height: 96 } } }, native),
    ).toBe(false);
    expect(farFromModel(node, undefined)).toBe(false);
  });
});
