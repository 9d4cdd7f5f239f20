import { describe, expect, it } from 'vitest';
import { errorTypePrefix, validationLines } from '../../client/src/execution/run-errors.js';
import type { EditorGraph } from '../../client/src/graph/types.js';
import { ariaLabels } from '../../client/src/i18n/aria-labels.js';
import type { NodeError } from '../../shared/protocol.js';

/** The Chinese UI's catalogue texts: React Flow's labels and the explanations of ComfyUI's error types. */

const HAN = /\p{Script=Han}/u;

describe('ariaLabels', () => {
  it('says every React Flow label in Chinese, and the live message with its direction', () => {
    const labels = ariaLabels('zh-CN');
    for (const [key, value] of Object.entries(labels)) if (typeof value === 'string') expect(value, key).toMatch(HAN);
    expect(labels['controls.zoomIn.ariaLabel']).toBe('放大');
    expect(labels['node.a11yDescription.ariaLiveMessage']({ direction: 'left', x: 10, y: 20 })).toBe(
      '已将所选节点向左移动。新位置 x：10，y：20',
    );
  });

  it('keeps React Flow’s English in English', () => {
    expect(ariaLabels('en')['controls.fitView.ariaLabel']).toBe('Fit view');
    expect(ariaLabels('en')['minimap.ariaLabel']).toBe('Mini map');
  });
});

describe('error types', () => {
  it('explains a known ComfyUI error type in Chinese before the server’s words', () => {
    expect(errorTypePrefix('zh-CN', 'value_smaller_than_min')).toBe('值小于最小值 — ');
    expect(errorTypePrefix('zh-CN', 'required_input_missing')).toBe('缺少必需的输入 — ');
    expect(errorTypePrefix('en', 'value_smaller_than_min')).toBe('');
    expect(errorTypePrefix('zh-CN', 'something_new')).toBe('');
    expect(errorTypePrefix('zh-CN', undefined)).toBe('');
  });

  it('validation lines keep the node, field and English details after the Chinese explanation', () => {
    const graph: EditorGraph = { nodes: [], edges: [] };
    const nodeErrors: Record<string, NodeError> = {
      '3': {
        class_type: 'KSampler',
        dependent_outputs: ['9'],
        errors: [
          {
            type: 'value_smaller_than_min',
            message: 'Value smaller than min',
            details: 'steps, 0 < 1',
            extra_info: { input_name: 'steps' },
          },
        ],
      },
    };
    expect(validationLines(graph, nodeErrors, 'zh-CN')).toEqual([
      '#3 KSampler · steps: 值小于最小值 — Value smaller than min: steps, 0 < 1',
    ]);
    expect(validationLines(graph, nodeErrors)).toEqual(['#3 KSampler · steps: Value smaller than min: steps, 0 < 1']);
  });
});
