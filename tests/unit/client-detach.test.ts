import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { dropDetachedWire } from '../../client/src/graph/detach.js';
import type { EditorGraph, InkNode } from '../../client/src/graph/types.js';
import { edgeFor } from '../../client/src/graph/wiring.js';

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});

const ink = (id: string, classType: string): InkNode => ({
  id,
  type: 'ink',
  position: { x: 0, y: 0 },
  data: { classType, title: classType, widgets: {}, mode: 0, collapsed: false, controls: {} },
});

// A prompt feeding the sampler's positive input; the negative input is free.
const positive = edgeFor({ source: '6', sourceHandle: 'out-0', target: '3', targetHandle: 'positive' });
const latent = edgeFor({ source: '5', sourceHandle: 'out-0', target: '3', targetHandle: 'latent_image' });
const graph: EditorGraph = {
  nodes: [ink('6', 'CLIPTextEncode'), ink('5', 'EmptyLatentImage'), ink('3', 'KSampler')],
  edges: [positive, latent],
};

describe('a wire picked up from its input', () => {
  it('dropped on another input of its type, moves there in one edit', () => {
    const outcome = dropDetachedWire(graph, positive, { on: 'input', nodeId: '3', handleId: 'negative' }, objectInfo);
    expect(outcome.kind).toBe('moved');
    if (outcome.kind !== 'moved') return;
    expect(outcome.graph.edges.map((edge) => `${edge.source}→${edge.target}.${edge.targetHandle}`).sort()).toEqual([
      '5→3.latent_image',
      '6→3.negative',
    ]);
  });

  it('dropped on an input that cannot take it, is refused and left as it was', () => {
    const outcome = dropDetachedWire(graph, positive, { on: 'input', nodeId: '3', handleId: 'model' }, objectInfo);
    expect(outcome).toEqual({
      kind: 'refused',
      problem: { refusal: 'typeMismatch', params: { from: 'CONDITIONING', to: 'MODEL' } },
    });
  });

  it('onto an input that has a wire, replaces that wire; back onto its own input, comes off', () => {
    const negative = edgeFor({ source: '7', sourceHandle: 'out-0', target: '3', targetHandle: 'negative' });
    const both: EditorGraph = {
      nodes: [...graph.nodes, ink('7', 'CLIPTextEncode')],
      edges: [...graph.edges, negative],
    };
    const outcome = dropDetachedWire(both, positive, { on: 'input', nodeId: '3', handleId: 'negative' }, objectInfo);
    expect(
      outcome.kind === 'moved' && outcome.graph.edges.map((edge) => `${edge.source}→${edge.targetHandle}`),
    ).toEqual(['5→latent_image', '6→negative']);
    const back = dropDetachedWire(graph, latent, { on: 'input', nodeId: '3', handleId: 'latent_image' }, objectInfo);
    expect(back.kind === 'removed' && back.graph.edges).toEqual([positive]);
  });

  it('dropped on empty canvas near its input comes off; farther, it also offers nodes for its output', () => {
    expect(dropDetachedWire(graph, positive, { on: 'canvas', near: true }, objectInfo)).toEqual({
      kind: 'removed',
      graph: { ...graph, edges: [latent] },
    });
    expect(dropDetachedWire(graph, positive, { on: 'canvas', near: false }, objectInfo)).toEqual({
      kind: 'removed',
      graph: { ...graph, edges: [latent] },
      search: { nodeId: '6', handleId: 'out-0', fromSource: true },
    });
    expect(dropDetachedWire(graph, positive, { on: 'elsewhere' }, objectInfo)).toEqual({ kind: 'kept' });
  });

  it('dropped on a node’s body, goes to its first input that takes it, a free one first', () => {
    // On the sampler: negative is the first free conditioning input.
    const moved = dropDetachedWire(graph, positive, { on: 'node', nodeId: '3' }, objectInfo);
    expect(moved.kind === 'moved' && moved.graph.edges.map((edge) => `${edge.source}→${edge.targetHandle}`)).toEqual([
      '5→latent_image',
      '6→negative',
    ]);
    // Its own node with no other free input for it, or a node with none at all: nothing changes.
    const full: EditorGraph = {
      ...graph,
      edges: [...graph.edges, edgeFor({ source: '6', sourceHandle: 'out-0', target: '3', targetHandle: 'negative' })],
    };
    expect(dropDetachedWire(full, latent, { on: 'node', nodeId: '3' }, objectInfo)).toEqual({ kind: 'kept' });
    expect(dropDetachedWire(graph, positive, { on: 'node', nodeId: '5' }, objectInfo)).toEqual({ kind: 'kept' });
  });
});
