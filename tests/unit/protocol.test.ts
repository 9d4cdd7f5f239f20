import { describe, expect, it } from 'vitest';
import { historyEntrySchema, postPromptBodySchema, wsMessageSchema } from '../../shared/protocol.js';

describe('WebSocket message union', () => {
  it('accepts every message of the catalogue', () => {
    const messages = [
      { type: 'status', data: { status: { exec_info: { queue_remaining: 2 } }, sid: 'abc' } },
      { type: 'feature_flags', data: { supports_preview_metadata: true } },
      { type: 'execution_start', data: { prompt_id: 'p', timestamp: 1 } },
      { type: 'execution_cached', data: { nodes: ['1'], prompt_id: 'p', timestamp: 1 } },
      { type: 'executing', data: { node: '1', display_node: '1', prompt_id: 'p' } },
      { type: 'executing', data: { node: null, prompt_id: 'p' } },
      { type: 'progress', data: { value: 1, max: 20, prompt_id: 'p', node: '3' } },
      {
        type: 'progress_state',
        data: {
          prompt_id: 'p',
          nodes: {
            '3': {
              value: 1,
              max: 2,
              state: 'running',
              node_id: '3',
              prompt_id: 'p',
              display_node_id: '3',
              parent_node_id: null,
              real_node_id: '3',
            },
          },
        },
      },
      {
        type: 'executed',
        data: {
          node: '9',
          display_node: '9',
          output: { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] },
          prompt_id: 'p',
        },
      },
      { type: 'execution_success', data: { prompt_id: 'p', timestamp: 1 } },
      {
        type: 'execution_error',
        data: {
          prompt_id: 'p',
          node_id: '3',
          node_type: 'KSampler',
          executed: [],
          exception_message: 'x',
          exception_type: 'Error',
          traceback: [],
          current_inputs: {},
          current_outputs: [],
          timestamp: 1,
        },
      },
      {
        type: 'execution_interrupted',
        data: { prompt_id: 'p', node_id: '3', node_type: 'KSampler', executed: ['1'], timestamp: 1 },
      },
      { type: 'logs', data: { entries: [{ t: 'now', m: 'hi' }], size: { cols: 80, rows: 24 } } },
    ];
    for (const message of messages) expect(wsMessageSchema.safeParse(message).success, message.type).toBe(true);
  });

  it('rejects unknown types and wrong data', () => {
    expect(wsMessageSchema.safeParse({ type: 'nope', data: {} }).success).toBe(false);
    expect(
      wsMessageSchema.safeParse({ type: 'progress', data: { value: '1', max: 2, prompt_id: 'p', node: '3' } }).success,
    ).toBe(false);
  });

  it('types POST /prompt bodies and history entries', () => {
    expect(postPromptBodySchema.safeParse({ prompt: {}, front: true, number: 3 }).success).toBe(true);
    expect(postPromptBodySchema.safeParse({ prompt: { '1': { inputs: {} } } }).success).toBe(false);
    const entry = {
      prompt: [0, 'p', {}, {}, ['9']],
      outputs: { '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] } },
      status: {
        status_str: 'success',
        completed: true,
        messages: [['execution_start', { prompt_id: 'p', timestamp: 1 }]],
      },
      meta: { '9': { node_id: '9', display_node: '9', parent_node: null, real_node_id: '9' } },
    };
    expect(historyEntrySchema.safeParse(entry).success).toBe(true);
  });
});
