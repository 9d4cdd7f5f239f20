import { describe, expect, it } from 'vitest';
import {
  initialExecutionState,
  queued,
  reduceAll,
  type ExecutionState,
} from '../../client/src/execution/execution-state.js';
import { labelLists } from '../../client/src/execution/labels.js';
import { nodesToRun } from '../../client/src/execution/nodes-to-run.js';
import type { ObjectInfo } from '../../shared/node-spec.js';
import type { WsMessage } from '../../shared/protocol.js';

const p = 'prompt-1';
const run: WsMessage[] = [
  { type: 'status', data: { status: { exec_info: { queue_remaining: 1 } } } },
  { type: 'execution_start', data: { prompt_id: p, timestamp: 0 } },
  { type: 'execution_cached', data: { nodes: ['4'], prompt_id: p, timestamp: 0 } },
  { type: 'executing', data: { node: '3', display_node: '3', prompt_id: p } },
  { type: 'progress', data: { value: 5, max: 20, prompt_id: p, node: '3' } },
];

describe('execution state from WebSocket messages', () => {
  it('tracks queued, cached, running with progress, done with time, and outputs', () => {
    let state = queued(initialExecutionState, ['3', '4', '9'], p);
    state = reduceAll(state, run, 1000);
    expect(state.queueRemaining).toBe(1);
    expect(state.nodes['4']!.status).toBe('cached');
    expect(state.nodes['3']).toMatchObject({ status: 'running', value: 5, max: 20, startedAt: 1000 });
    expect(state.nodes['9']!.status).toBe('queued');
    state = reduceAll(state, [{ type: 'executing', data: { node: '9', display_node: '9', prompt_id: p } }], 1750);
    expect(state.nodes['3']).toMatchObject({ status: 'done', ms: 750 });
    state = reduceAll(
      state,
      [
        {
          type: 'executed',
          data: {
            node: '9',
            display_node: '9',
            output: { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] },
            prompt_id: p,
          },
        },
        { type: 'execution_success', data: { prompt_id: p, timestamp: 0 } },
        { type: 'executing', data: { node: null, prompt_id: p } },
      ],
      1800,
    );
    expect(state.nodes['9']).toMatchObject({ status: 'done', ms: 50, output: { images: [{ filename: 'a.png' }] } });
    expect(state.runningNode).toBeUndefined();
  });

  it('marks the failing node with its error, and interrupted nodes', () => {
    let state = reduceAll(queued(initialExecutionState, ['3'], p), run, 0);
    state = reduceAll(
      state,
      [
        {
          type: 'execution_error',
          data: {
            prompt_id: p,
            node_id: '3',
            node_type: 'KSampler',
            executed: [],
            exception_message: 'boom',
            exception_type: 'Error',
            traceback: [],
            current_inputs: {},
            current_outputs: [],
            timestamp: 0,
          },
        },
      ],
      10,
    );
    expect(state.nodes['3']).toMatchObject({ status: 'error', error: 'Error: boom' });
    state = reduceAll(
      state,
      [
        { type: 'executing', data: { node: '5', display_node: '5', prompt_id: p } },
        {
          type: 'execution_interrupted',
          data: { prompt_id: p, node_id: '5', node_type: 'X', executed: [], timestamp: 0 },
        },
      ],
      20,
    );
    expect(state.nodes['5']!.status).toBe('interrupted');
  });
});

const statuses = (state: ExecutionState): Record<string, string> =>
  Object.fromEntries(Object.entries(state.nodes).map(([id, node]) => [id, node.status]));

const interrupted = (node: string, prompt = p): WsMessage => ({
  type: 'execution_interrupted',
  data: { prompt_id: prompt, node_id: node, node_type: 'KSampler', executed: [], timestamp: 0 },
});

describe('no node stays queued once its run ends', () => {
  it('clears the nodes a successful run never reached', () => {
    let state = queued(initialExecutionState, ['3', '4', '9'], p);
    state = reduceAll(
      state,
      [
        { type: 'execution_start', data: { prompt_id: p, timestamp: 0 } },
        { type: 'executing', data: { node: '3', display_node: '3', prompt_id: p } },
        { type: 'execution_success', data: { prompt_id: p, timestamp: 0 } },
      ],
      5,
    );
    expect(statuses(state)).toEqual({ '3': 'done' });
  });

  it('clears what an interrupt or an error left waiting, but keeps the marks of a later prompt', () => {
    let state = queued(queued(initialExecutionState, ['3', '8', '9'], p), ['20', '21'], 'prompt-2');
    state = reduceAll(
      state,
      [
        { type: 'execution_start', data: { prompt_id: p, timestamp: 0 } },
        { type: 'executing', data: { node: '3', display_node: '3', prompt_id: p } },
        interrupted('3'),
      ],
      5,
    );
    expect(statuses(state)).toEqual({ '3': 'interrupted', '20': 'queued', '21': 'queued' });
    state = reduceAll(
      state,
      [
        { type: 'execution_start', data: { prompt_id: 'prompt-2', timestamp: 0 } },
        {
          type: 'execution_error',
          data: {
            prompt_id: 'prompt-2',
            node_id: '20',
            node_type: 'VAEDecode',
            executed: [],
            exception_message: 'boom',
            exception_type: 'Error',
            traceback: [],
            current_inputs: {},
            current_outputs: [],
            timestamp: 0,
          },
        },
      ],
      6,
    );
    expect(statuses(state)).toEqual({ '3': 'interrupted', '20': 'error' });
  });

  it('does not mark a prompt queued when the answer to POST /prompt comes after its run began or ended', () => {
    let state = reduceAll(
      initialExecutionState,
      [
        { type: 'execution_start', data: { prompt_id: p, timestamp: 0 } },
        { type: 'executing', data: { node: '3', display_node: '3', prompt_id: p } },
      ],
      0,
    );
    state = queued(state, ['3', '9'], p);
    expect(statuses(state)).toEqual({ '3': 'running', '9': 'queued' });
    state = reduceAll(state, [{ type: 'execution_success', data: { prompt_id: p, timestamp: 0 } }], 1);
    expect(queued(state, ['3', '9'], p)).toBe(state);
    expect(statuses(state)).toEqual({ '3': 'done' });
  });

  it('clears every queued mark once the server says nothing is queued or running', () => {
    const state = reduceAll(
      queued(initialExecutionState, ['3', '9'], p),
      [{ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } } } }],
      0,
    );
    expect(state.nodes).toEqual({});
  });
});

describe('the nodes a prompt runs', () => {
  const info = (output: boolean): ObjectInfo[string] => ({
    input: { required: {} },
    input_order: { required: [] },
    output: [],
    output_is_list: [],
    output_name: [],
    name: 'X',
    display_name: 'X',
    description: '',
    python_module: 'nodes',
    category: 'test',
    output_node: output,
  });
  const objectInfo: ObjectInfo = { Step: info(false), Save: info(true) };

  it('are the output nodes and what they read from; a node feeding only dropped (muted or bypassed) nodes is not', () => {
    const prompt = {
      '1': { class_type: 'Step', inputs: { seed: 3 } },
      '2': { class_type: 'Step', inputs: { a: ['1', 0] } },
      // 5 fed a muted node, dropped from the prompt: nothing reads it.
      '5': { class_type: 'Step', inputs: { a: ['1', 0] } },
      '6': { class_type: 'Step', inputs: { a: ['5', 0] } },
      '9': { class_type: 'Save', inputs: { images: ['2', 0], other: ['2', 1] } },
      '10': { class_type: 'Unknown', inputs: { a: ['9', 0] } },
    };
    expect(nodesToRun(prompt, objectInfo)).toEqual(['1', '2', '9']);
    expect(nodesToRun({ '1': prompt['1'] }, objectInfo)).toEqual([]);
  });
});

describe('classifier labels in a node output', () => {
  it('keeps the per-image lists of labelled scores and drops anything else', () => {
    const cat = { label: 'cat', label_zh: '猫', score: 0.9 };
    expect(labelLists([[cat], [{ label: 'dog', score: 0.1 }], 'text', [{ label: 'no score' }], [null]])).toEqual([
      [cat],
      [{ label: 'dog', score: 0.1 }],
    ]);
    expect(labelLists(undefined)).toEqual([]);
  });
});
