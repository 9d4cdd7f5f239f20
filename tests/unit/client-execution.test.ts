import { describe, expect, it } from 'vitest';
import { initialExecutionState, queued, reduceAll } from '../../client/src/execution/execution-state.js';
import { labelLists } from '../../client/src/execution/labels.js';
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
    let state = queued(initialExecutionState, ['3', '4', '9']);
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
    let state = reduceAll(queued(initialExecutionState, ['3']), run, 0);
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
