import { describe, expect, it } from 'vitest';
import { countPreviewableOutputs, normalizeOutputs, outputsSummary } from '../../server/jobs/job-outputs.js';
import { historyJobView, queuedJobView, readStoredEntry, type StoredHistoryEntry } from '../../server/jobs/job-view.js';
import type { QueuedJob } from '../../server/queued-job.js';

const prompt = { '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } } };

function queued(extraData: QueuedJob['extraData']): QueuedJob {
  return { number: 7, promptId: 'p1', prompt, extraData, outputs: ['1'] };
}

function entry(status: StoredHistoryEntry['status'], outputs: Record<string, unknown> = {}): StoredHistoryEntry {
  return {
    prompt: [3, 'h1', prompt, { create_time: 1000, extra_pnginfo: { workflow: { id: 'wf-1' } } }, ['1']],
    outputs,
    status,
  };
}

describe('queuedJobView (ComfyUI normalize_queue_item)', () => {
  it('names id, status, priority, create_time and the workflow id, with no outputs yet', () => {
    const view = queuedJobView(
      queued({ client_id: 'c', create_time: 1234, extra_pnginfo: { workflow: { id: 'wf-9', nodes: [] } } }),
      'pending',
    );
    expect(view).toEqual({
      id: 'p1',
      status: 'pending',
      priority: 7,
      create_time: 1234,
      outputs_count: 0,
      previewable_outputs_count: 0,
      workflow_id: 'wf-9',
    });
    // ComfyUI's key order.
    expect(Object.keys(view)).toEqual([
      'id',
      'status',
      'priority',
      'create_time',
      'outputs_count',
      'previewable_outputs_count',
      'workflow_id',
    ]);
  });

  it('leaves out what it has no value for, and carries the prompt without secrets when asked', () => {
    const view = queuedJobView(
      queued({ api_key_comfy_org: 'secret', extra_pnginfo: { workflow: 'odd' } }),
      'in_progress',
      true,
    );
    expect(view).toEqual({
      id: 'p1',
      status: 'in_progress',
      priority: 7,
      outputs_count: 0,
      previewable_outputs_count: 0,
      workflow: { prompt, extra_data: { extra_pnginfo: { workflow: 'odd' } } },
    });
  });
});

describe('historyJobView (ComfyUI normalize_history_item)', () => {
  const start = ['execution_start', { prompt_id: 'h1', timestamp: 2000 }];
  const cached = ['execution_cached', { nodes: [], prompt_id: 'h1', timestamp: 2001 }];

  it('a success is completed, with its run times and output summary', () => {
    const view = historyJobView(
      'h1',
      entry(
        {
          status_str: 'success',
          completed: true,
          messages: [start, cached, ['execution_success', { prompt_id: 'h1', timestamp: 2500 }]],
        },
        { '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] } },
      ),
    );
    expect(view).toEqual({
      id: 'h1',
      status: 'completed',
      priority: 3,
      create_time: 1000,
      execution_start_time: 2000,
      execution_end_time: 2500,
      outputs_count: 1,
      previewable_outputs_count: 1,
      preview_output: { filename: 'a.png', subfolder: '', type: 'output', nodeId: '9', mediaType: 'images' },
      workflow_id: 'wf-1',
    });
  });

  it('an error is failed and carries the execution_error message data', () => {
    const error = { prompt_id: 'h1', node_id: '3', exception_message: 'boom', timestamp: 2600 };
    const view = historyJobView(
      'h1',
      entry({ status_str: 'error', completed: false, messages: [start, ['execution_error', error]] }),
    );
    expect(view).toMatchObject({ status: 'failed', execution_end_time: 2600, execution_error: error });
    expect(view.preview_output).toBeUndefined();
  });

  it('an error status ending in an interruption is cancelled', () => {
    const view = historyJobView(
      'h1',
      entry({
        status_str: 'error',
        completed: false,
        messages: [start, ['execution_interrupted', { prompt_id: 'h1', node_id: '2', timestamp: 2700 }]],
      }),
    );
    expect(view).toMatchObject({ status: 'cancelled', execution_end_time: 2700 });
    expect('execution_error' in view).toBe(false);
  });

  it('an entry from before prompts were stamped takes its run start as create_time', () => {
    const old = entry({ status_str: 'success', completed: true, messages: [start] });
    old.prompt[3] = {};
    expect(historyJobView('h1', old)).toMatchObject({ create_time: 2000, execution_start_time: 2000 });
  });

  it('no status at all reads as completed', () => {
    expect(historyJobView('h1', entry(undefined)).status).toBe('completed');
  });

  it('the single-job form adds the normalised outputs, the status and the prompt', () => {
    const status = { status_str: 'success', completed: true, messages: [] };
    const view = historyJobView('h1', entry(status, { '5': { images: [null, { filename: 'x.png' }] } }), true);
    expect(view.outputs).toEqual({ '5': { images: [{ filename: 'x.png' }] } });
    expect(view.execution_status).toEqual(status);
    expect(view.workflow).toEqual({
      prompt,
      extra_data: { create_time: 1000, extra_pnginfo: { workflow: { id: 'wf-1' } } },
    });
    expect(Object.keys(view).slice(-3)).toEqual(['outputs', 'execution_status', 'workflow']);
  });

  it('readStoredEntry takes a stored entry and refuses what is not one', () => {
    expect(readStoredEntry(JSON.stringify(entry(undefined)))?.prompt[1]).toBe('h1');
    expect(readStoredEntry('{"prompt": [1, "x"]}')).toBeUndefined();
    expect(readStoredEntry('not json')).toBeUndefined();
  });
});

describe('outputs summary (ComfyUI get_outputs_summary)', () => {
  it('prefers a saved visual item over a temp one, counting every file item', () => {
    const outputs = {
      '4': { images: [{ filename: 'p.png', subfolder: '', type: 'temp' }] },
      '9': { images: [{ filename: 's.png', subfolder: '', type: 'output' }], animated: [false] },
    };
    expect(outputsSummary(outputs)).toEqual({
      count: 2,
      preview: { filename: 's.png', subfolder: '', type: 'output', nodeId: '9', mediaType: 'images' },
    });
  });

  it('falls back to a temp image, then a text file, then raw text', () => {
    expect(outputsSummary({ '4': { images: [{ filename: 'p.png', type: 'temp' }] } }).preview).toMatchObject({
      filename: 'p.png',
      nodeId: '4',
    });
    const textFile = { '2': { files: [{ filename: 'notes.TXT', type: 'output' }] } };
    expect(outputsSummary(textFile)).toEqual({
      count: 1,
      preview: { filename: 'notes.TXT', type: 'output', nodeId: '2', mediaType: 'files' },
    });
    // Raw text is preview metadata: not counted.
    expect(outputsSummary({ '3': { text: ['hello'] } })).toEqual({
      count: 0,
      preview: { content: 'hello', nodeId: '3', mediaType: 'text' },
    });
    // A text file outranks raw text, and visual media outrank both, whatever the node order.
    const mixed = { '1': { text: ['t'] }, '2': textFile['2'], '3': { images: [{ filename: 'i.png', type: 'temp' }] } };
    expect(outputsSummary(mixed).preview).toMatchObject({ filename: 'i.png', nodeId: '3' });
  });

  it('cuts raw text to 1024 code points', () => {
    const long = '😀'.repeat(1030);
    const preview = outputsSummary({ '1': { text: [long] } }).preview!;
    expect(preview.truncated).toBe(true);
    expect([...String(preview.content)]).toHaveLength(1024);
    // 1024 emoji are 2048 UTF-16 units: not truncated.
    expect(outputsSummary({ '1': { text: ['😀'.repeat(1024)] } }).preview).not.toHaveProperty('truncated');
  });

  it('bare 3D filenames count as saved 3D items; other strings are not items', () => {
    const outputs = { '7': { result: ['mesh.GLB', 'label'] } };
    expect(outputsSummary(outputs)).toEqual({
      count: 1,
      preview: { filename: 'mesh.GLB', type: 'output', subfolder: '', mediaType: '3d', nodeId: '7' },
    });
    expect(normalizeOutputs(outputs)).toEqual({
      '7': { result: [{ filename: 'mesh.GLB', type: 'output', subfolder: '', mediaType: '3d' }, 'label'] },
    });
  });

  it('counts previewable items apart from all items', () => {
    const outputs = {
      '1': { latents: [{ filename: 'a.latent', type: 'output' }] },
      '2': { images: [{ filename: 'b.png', type: 'output' }], video: [{ filename: 'c.bin', format: 'video/mp4' }] },
      '3': { gifs: [{ filename: 'd.bin', format: 'video/webm' }] },
    };
    expect(outputsSummary(outputs).count).toBe(4);
    expect(countPreviewableOutputs(outputs)).toBe(3);
  });
});
