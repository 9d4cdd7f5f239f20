import { describe, expect, it } from 'vitest';
import {
  historyErrorMessage,
  nodeLabel,
  runOutcome,
  runtimeErrorToast,
  validationLines,
} from '../../client/src/execution/run-errors.js';
import { selectOnly } from '../../client/src/graph/select-only.js';
import type { EditorGraph, InkNode } from '../../client/src/graph/types.js';
import type { HistoryEntry, NodeError } from '../../shared/protocol.js';

const ink = (id: string, classType: string, title: string, selected = false): InkNode => ({
  id,
  type: 'ink',
  position: { x: 0, y: 0 },
  selected,
  data: { classType, title, widgets: {}, mode: 0, collapsed: false, controls: {} },
});

const graph: EditorGraph = {
  nodes: [
    ink('3', 'KSampler', 'KSampler', true),
    ink('6', 'CLIPTextEncode', 'Positive prompt'),
    ink('16', 'CLIPSetLastLayer', 'CLIP Set Last Layer'),
  ],
  edges: [],
};

const missing = (input: string) => ({
  type: 'required_input_missing',
  message: 'Required input is missing',
  details: input,
  extra_info: { input_name: input },
});

describe('run errors as a person reads them', () => {
  it('names a node by id, title and type, or id and type when the title is the type', () => {
    expect(nodeLabel(graph, '6', 'CLIPTextEncode')).toBe('#6 Positive prompt (CLIPTextEncode)');
    expect(nodeLabel(graph, '3', 'KSampler')).toBe('#3 KSampler');
    expect(nodeLabel(graph, '99', 'VAEDecode')).toBe('#99 VAEDecode');
  });

  it('makes a run-time error toast naming the node and the message, offering to show a node still in the graph', () => {
    const error = {
      node_id: '16',
      node_type: 'CLIPSetLastLayer',
      exception_type: 'Error',
      exception_message: 'stop_at_clip_layer: this model has no hidden states',
    };
    expect(runtimeErrorToast(graph, error, 'en')).toEqual({
      kind: 'error',
      text: '#16 CLIP Set Last Layer (CLIPSetLastLayer) failed: Error: stop_at_clip_layer: this model has no hidden states',
      focusNode: '16',
    });
    expect(runtimeErrorToast(graph, error, 'zh-CN').text).toBe(
      '#16 CLIP Set Last Layer (CLIPSetLastLayer) 运行失败: Error: stop_at_clip_layer: this model has no hidden states',
    );
    expect(runtimeErrorToast(graph, { ...error, node_id: '40' }, 'en')).not.toHaveProperty('focusNode');
  });

  it('lists every error of every node of a refused prompt, each with its field', () => {
    const nodeErrors: Record<string, NodeError> = {
      '3': {
        errors: [
          missing('model'),
          {
            type: 'value_smaller_than_min',
            message: 'Value 0 smaller than min of 1',
            details: 'steps',
            extra_info: { input_name: 'steps', received_value: 0 },
          },
        ],
        dependent_outputs: ['9'],
        class_type: 'KSampler',
      },
      '6': { errors: [missing('clip')], dependent_outputs: ['9'], class_type: 'CLIPTextEncode' },
      '8': {
        errors: [{ type: 'exception_during_validation', message: 'Bad node', details: 'why', extra_info: {} }],
        dependent_outputs: ['9'],
        class_type: 'VAEDecode',
      },
    };
    expect(validationLines(graph, nodeErrors)).toEqual([
      '#3 KSampler · model: Required input is missing',
      '#3 KSampler · steps: Value 0 smaller than min of 1',
      '#6 Positive prompt (CLIPTextEncode) · clip: Required input is missing',
      '#8 VAEDecode · Bad node: why',
    ]);
  });

  it("reads ComfyUI's history status: an interrupted run is interrupted, not an error", () => {
    const status = (status_str: 'success' | 'error', messages: HistoryEntry['status']['messages']) => ({
      status_str,
      completed: status_str === 'success',
      messages,
    });
    const start: [string, Record<string, unknown>] = ['execution_start', { prompt_id: 'p' }];
    expect(runOutcome(status('success', [start, ['execution_success', {}]]))).toBe('success');
    expect(runOutcome(status('error', [start, ['execution_interrupted', { node_id: '3' }]]))).toBe('interrupted');
    const failed = status('error', [start, ['execution_error', { node_id: '3', exception_message: 'out of memory' }]]);
    expect(runOutcome(failed)).toBe('error');
    expect(historyErrorMessage(failed)).toBe('out of memory');
    expect(historyErrorMessage(status('success', [start]))).toBeUndefined();
  });

  it('selects only the node "Show node" brings into view', () => {
    const selected = selectOnly(graph, '16')
      .nodes.filter((node) => node.selected)
      .map((node) => node.id);
    expect(selected).toEqual(['16']);
  });
});
