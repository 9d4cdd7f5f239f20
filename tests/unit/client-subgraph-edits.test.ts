import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { adoptSeeds, applySeedControls } from '../../client/src/graph/node-factory.js';
import {
  convertNodesToSubgraph,
  isSubgraphNode,
  leaveSubgraphs,
  openSubgraph,
  unpackSubgraphNode,
} from '../../client/src/graph/subgraph-edits.js';
import { initialExecutionState, queued, reduceAll } from '../../client/src/execution/execution-state.js';
import { withSubgraphErrors } from '../../client/src/execution/run-errors.js';
import { sameDocument } from '../../client/src/graph/document-equal.js';
import { missingNodes } from '../../client/src/graph/missing-nodes.js';
import { missingBlueprints, publish, withDependencies } from '../../client/src/state/blueprints.js';
import { graphToWorkflow, workflowToGraph } from '../../client/src/graph/workflow-graph.js';
import { fromLitegraph } from '../../shared/litegraph-import.js';
import { withSubgraphTypes } from '../../shared/subgraph.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';
import { parseWorkflowDocument } from '../../shared/workflow.js';

const env = { inputDir: '/nonexistent', outputDir: '/nonexistent', tempDir: '/nonexistent', modelsDir: '/nonexistent' };
const objectInfo = buildObjectInfo(createRegistry(), env);
const parsed = parseWorkflowDocument(
  JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'workflows', 'text-to-image.json'), 'utf8')),
);
if (!parsed.ok) throw new Error(parsed.reason);
const graph = workflowToGraph(parsed.value.envelope, objectInfo).graph;
let slot = 0;
const ids = { definitionId: 'prompts', slotId: () => `slot-${slot++}` };

describe('subgraph commands on the editor graph', () => {
  it('converts the two prompt encoders into one selected node that queues as before, and unpacks back', () => {
    const converted = convertNodesToSubgraph(graph, new Set(['6', '7']), objectInfo, ids, 'New Subgraph')!;
    const instance = converted.nodes.find((node) => node.id === '16')!;
    expect(instance).toMatchObject({
      type: 'ink',
      selected: true,
      data: { classType: 'prompts', title: 'New Subgraph' },
    });
    expect(isSubgraphNode(converted, instance)).toBe(true);
    expect(converted.nodes.some((node) => node.id === '6' || node.id === '7')).toBe(false);
    // Nodes the conversion did not touch are the same objects.
    expect(converted.nodes.find((node) => node.id === '4')).toBe(graph.nodes.find((node) => node.id === '4'));
    const document = graphToWorkflow(converted);
    expect(document.definitions?.subgraphs).toHaveLength(1);
    expect(missingNodes(document, objectInfo)).toEqual([]);
    const prompt = compileWorkflow(document, objectInfo);
    const original = compileWorkflow(graphToWorkflow(graph), objectInfo);
    expect(prompt['3']!.inputs.positive).toEqual(['16:6', 0]);
    expect(prompt['16:6']!.inputs).toEqual(original['6']!.inputs);
    // The library's types carry the subgraph, so the instance draws its sockets.
    expect(withSubgraphTypes(objectInfo, document.definitions!.subgraphs)['prompts']!.output).toEqual([
      'CONDITIONING',
      'CONDITIONING',
    ]);

    const unpacked = unpackSubgraphNode(converted, '16', objectInfo)!;
    expect(graphToWorkflow(unpacked).prompt).toEqual(graphToWorkflow(graph).prompt);
    expect(unpacked.nodes.filter((node) => node.selected).map((node) => node.id)).toEqual(['6', '7']);
    expect(unpackSubgraphNode(unpacked, '3', objectInfo)).toBeUndefined();
  });
});

describe('run state and errors of subgraph nodes', () => {
  it('shows on the subgraph node what its inner nodes do, nested too', () => {
    let state = queued(initialExecutionState, ['16:6', '16:7', '3', '20:1:2'], 'p');
    expect(state.nodes['16']?.status).toBe('queued');
    expect(state.nodes['20:1']?.status).toBe('queued');
    state = reduceAll(
      state,
      [
        { type: 'executing', data: { node: '16:6', prompt_id: 'p' } },
        { type: 'progress', data: { node: '16:6', value: 2, max: 4, prompt_id: 'p' } },
      ],
      0,
    );
    expect(state.nodes['16']).toMatchObject({ status: 'running', value: 2, max: 4 });
    state = reduceAll(
      state,
      [{ type: 'execution_cached', data: { nodes: ['16:7'], prompt_id: 'p', timestamp: 0 } }],
      1,
    );
    state = reduceAll(state, [{ type: 'executing', data: { node: '3', prompt_id: 'p' } }], 2);
    expect(state.nodes['16']).toMatchObject({ status: 'done', ms: 2 });
    expect(state.nodes['20']?.status).toBe('queued');
  });

  it('marks each subgraph node holding a node the server refused', () => {
    const errors = withSubgraphErrors({ '16:6': { clip: 'Required input is missing' }, '3': { steps: 'too small' } });
    expect(errors['16']).toEqual({ '': '#6 clip: Required input is missing' });
    expect(errors['3']).toEqual({ steps: 'too small' });
  });
});

describe('subgraph blueprints', () => {
  const inner = { id: 'inner', name: 'Inner', nodes: {}, inputs: [], outputs: [] };
  const outer = {
    id: 'outer',
    name: 'Outer',
    nodes: { '1': { class_type: 'inner', inputs: {} } },
    inputs: [],
    outputs: [],
  };

  it('publishes a subgraph with the subgraphs it uses, replacing an older version', () => {
    expect(withDependencies('outer', [inner, outer]).map((definition) => definition.id)).toEqual(['outer', 'inner']);
    const renamed = { ...inner, name: 'Inner 2' };
    expect(publish([inner], [renamed])).toEqual([renamed]);
  });

  it('names the definitions a graph lacks for the blueprints placed in it', () => {
    expect(missingBlueprints(['outer', 'KSampler'], [], [inner, outer]).map((definition) => definition.id)).toEqual([
      'outer',
      'inner',
    ]);
    expect(missingBlueprints(['outer'], [outer, inner], [inner, outer])).toEqual([]);
  });
});

describe('seeds inside subgraphs', () => {
  it('move by their control before a run, and the editor keeps the seed that ran', () => {
    const converted = convertNodesToSubgraph(graph, new Set(['3']), objectInfo, ids, 'Sampler')!;
    const seedOf = (of: typeof converted) => graphToWorkflow(of).definitions!.subgraphs[0]!.nodes['3']!.inputs.seed;
    const seeded = applySeedControls(converted, objectInfo, () => 0.5);
    expect(seedOf(seeded)).not.toBe(seedOf(converted));
    expect(compileWorkflow(graphToWorkflow(seeded), objectInfo)['16:3']!.inputs.seed).toBe(seedOf(seeded));
    expect(seedOf(adoptSeeds(converted, seeded))).toBe(seedOf(seeded));
    // A fixed seed stays.
    const fixed = structuredClone(graphToWorkflow(converted));
    fixed.definitions!.subgraphs[0]!.nodes['3']!._meta = {
      ...fixed.definitions!.subgraphs[0]!.nodes['3']!._meta,
      controls: { seed: 'fixed' },
    };
    const still = workflowToGraph(fixed, objectInfo).graph;
    expect(seedOf(applySeedControls(still, objectInfo, () => 0.5))).toBe(seedOf(still));
  });
});

describe('running with a subgraph open', () => {
  it('moves the seeds of the graph it was opened from too, and shows them there once queued', () => {
    const converted = convertNodesToSubgraph(graph, new Set(['6', '7']), objectInfo, ids, 'New Subgraph')!;
    const inside = openSubgraph(converted, '16', objectInfo, { inputs: 'Inputs', outputs: 'Outputs' })!;
    const before = graphToWorkflow(inside).prompt['3']!.inputs.seed;
    const seeded = applySeedControls(inside, objectInfo, () => 0.5);
    const sent = graphToWorkflow(seeded).prompt['3']!.inputs.seed;
    expect(sent).not.toBe(before);
    const shown = adoptSeeds(inside, seeded);
    expect(shown.scope).toBeDefined();
    expect(graphToWorkflow(shown).prompt['3']!.inputs.seed).toBe(sent);
  });
});

describe('groups drawn inside a subgraph', () => {
  it('stay with it when it is left and are there when it is opened again', () => {
    const titles = { inputs: 'Inputs', outputs: 'Outputs' };
    const converted = convertNodesToSubgraph(graph, new Set(['6', '7']), objectInfo, ids, 'New Subgraph')!;
    const inside = openSubgraph(converted, '16', objectInfo, titles)!;
    const framed = {
      ...inside,
      nodes: [
        ...inside.nodes,
        {
          id: 'group-inside',
          type: 'group' as const,
          position: { x: 10, y: 20 },
          width: 500,
          height: 300,
          data: { title: 'Prompts' },
        },
      ],
    };
    const left = leaveSubgraphs(framed);
    expect(left.scope).toBeUndefined();
    expect(graphToWorkflow(left).definitions!.subgraphs[0]!.groups).toEqual([
      expect.objectContaining({ title: 'Prompts', bounding: [10, 20, 500, 300] }),
    ]);
    const again = openSubgraph(left, '16', objectInfo, titles)!;
    expect(again.nodes.filter((node) => node.type === 'group').map((node) => node.data)).toEqual([
      { title: 'Prompts' },
    ]);
    // A subgraph that never had a group still has none: opening and leaving is no edit.
    expect(graphToWorkflow(leaveSubgraphs(inside)).definitions!.subgraphs[0]!.groups).toBeUndefined();
  });
});

describe('opening a subgraph is no edit', () => {
  it("leaves a ComfyUI file's fractional positions as they were", () => {
    const json: unknown = JSON.parse(
      readFileSync(
        resolve(import.meta.dirname, '..', 'fixtures', 'comfy-subgraphs', 'basic-subgraph-zero-uuid.json'),
        'utf8',
      ),
    );
    const imported = fromLitegraph(json, objectInfo, { keepSubgraphs: true });
    if (!imported.ok) throw new Error(imported.reason);
    const root = workflowToGraph(imported.value, objectInfo).graph;
    const inside = openSubgraph(root, '2', objectInfo, { inputs: 'Inputs', outputs: 'Outputs' })!;
    expect(inside.nodes.map((node) => node.id).sort()).toEqual(['-10', '-20', '1', '2']);
    // As the unsaved marker compares documents (a node's drawn height aside).
    expect(sameDocument(graphToWorkflow(inside), graphToWorkflow(root))).toBe(true);
    expect(graphToWorkflow(inside).definitions!.subgraphs[0]!.nodes['1']!._meta?.pos).toEqual([
      554.8743286132812, 100.95539093017578,
    ]);
  });
});
