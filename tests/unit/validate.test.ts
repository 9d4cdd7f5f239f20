import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { encodePng } from '../../media/png.js';
import { readValidatedPrompt } from '../../server/prompt/read-validated-prompt.js';
import { validatePrompt } from '../../server/prompt/validate.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { makeTestEnv } from '../helpers/env.js';
import { nodeErrorsOf } from '../helpers/validated.js';

const env = makeTestEnv();
afterAll(() => env.cleanup());
writeFileSync(join(env.inputDir, 'in.png'), encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }));
const registry = createRegistry();

function pipeline(overrides: Partial<Record<string, Record<string, unknown>>> = {}): ApiPrompt {
  return {
    '1': { class_type: 'LoadImage', inputs: { image: 'in.png', ...overrides['1'] } },
    '2': {
      class_type: 'ImageScale',
      inputs: { image: ['1', 0], upscale_method: 'bilinear', width: 4, height: 4, crop: 'disabled', ...overrides['2'] },
    },
    '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'out', ...overrides['3'] } },
  };
}

function errorsOf(prompt: ApiPrompt): Record<string, string[]> {
  const result = validatePrompt(prompt, registry, env);
  return Object.fromEntries(
    Object.entries(nodeErrorsOf(result)).map(([id, entry]) => [id, entry.errors.map((error) => error.type)]),
  );
}

describe('validatePrompt', () => {
  it('accepts a good prompt, coerces constants and lists its outputs', () => {
    const result = validatePrompt(pipeline({ '2': { width: '8', height: 6.9 } }), registry, env);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.outputs).toEqual(['3']);
    expect(result.value.prompt['2']!.inputs.width).toBe(8);
    expect(result.value.prompt['2']!.inputs.height).toBe(6);
  });

  it('refuses an unknown class and a missing class_type as invalid_prompt, naming the node', () => {
    const unknown = validatePrompt({ ...pipeline(), '9': { class_type: 'Nope', inputs: {} } }, registry, env);
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.reason.error).toMatchObject({ type: 'invalid_prompt', details: "Node ID '#9'" });
    expect(!unknown.ok && unknown.reason.error.message).toContain('Nope');
    const missing = validatePrompt({ '1': { class_type: '', inputs: {} } }, registry, env);
    expect(!missing.ok && missing.reason.error.type).toBe('invalid_prompt');
  });

  it("says why for ComfyUI nodes Inkgraph lacks on purpose, after ComfyUI's own sentence", () => {
    const unclip = validatePrompt(
      { ...pipeline(), '9': { class_type: 'unCLIPCheckpointLoader', inputs: { ckpt_name: 'x' } } },
      registry,
      env,
    );
    expect(!unclip.ok && unclip.reason.error.message).toMatch(
      /^Cannot execute because node unCLIPCheckpointLoader does not exist\. \(unCLIP needs .*CLIP vision encoder/,
    );
    const plain = validatePrompt({ ...pipeline(), '9': { class_type: 'Nope', inputs: {} } }, registry, env);
    expect(!plain.ok && plain.reason.error.message).toBe('Cannot execute because node Nope does not exist.');
  });

  it('refuses a prompt without output nodes', () => {
    const result = validatePrompt({ '1': { class_type: 'LoadImage', inputs: { image: 'in.png' } } }, registry, env);
    expect(!result.ok && result.reason.error.type).toBe('prompt_no_outputs');
  });

  it('reports a missing required input on its node, with the dependent output', () => {
    const prompt = pipeline();
    delete prompt['2']!.inputs.width;
    const result = validatePrompt(prompt, registry, env);
    expect(!result.ok && result.reason.error.type).toBe('prompt_outputs_failed_validation');
    expect(nodeErrorsOf(result)['2']!.errors[0]).toMatchObject({
      type: 'required_input_missing',
      details: 'width',
      extra_info: { input_name: 'width' },
    });
    expect(nodeErrorsOf(result)['2']!.dependent_outputs).toEqual(['3']);
    // The save node is invalid only because of its upstream: it has no entry of its own.
    expect(nodeErrorsOf(result)['3']).toBeUndefined();
  });

  it('reports bad links: wrong shape, missing node, missing output, wrong type', () => {
    expect(errorsOf(pipeline({ '2': { image: ['1', 0, 1] } }))).toEqual({ '2': ['bad_linked_input'] });
    expect(errorsOf(pipeline({ '2': { image: ['77', 0] } }))).toEqual({ '2': ['bad_linked_input'] });
    expect(errorsOf(pipeline({ '2': { image: ['1', 5] } }))).toEqual({ '2': ['bad_linked_input'] });
    const mismatch = validatePrompt(pipeline({ '2': { image: ['1', 1] } }), registry, env);
    expect(nodeErrorsOf(mismatch)['2']!.errors[0]).toMatchObject({
      type: 'return_type_mismatch',
      extra_info: { input_name: 'image', received_type: 'MASK', linked_node: ['1', 1] },
    });
  });

  it('reports values of the wrong type, out of range, or not in the list', () => {
    expect(errorsOf(pipeline({ '2': { width: 'wide' } }))).toEqual({ '2': ['invalid_input_type'] });
    expect(errorsOf(pipeline({ '2': { width: { a: 1 } } }))).toEqual({ '2': ['invalid_input_type'] });
    expect(errorsOf(pipeline({ '2': { width: -1 } }))).toEqual({ '2': ['value_smaller_than_min'] });
    expect(errorsOf(pipeline({ '2': { height: 20000 } }))).toEqual({ '2': ['value_bigger_than_max'] });
    const notInList = validatePrompt(pipeline({ '2': { upscale_method: 'magic' } }), registry, env);
    expect(nodeErrorsOf(notInList)['2']!.errors[0]).toMatchObject({
      type: 'value_not_in_list',
      details: `upscale_method: 'magic' not in ["nearest-exact","bilinear","area","bicubic","lanczos"]`,
    });
  });

  it('refuses an input image that is not in the input folder', () => {
    const result = validatePrompt(pipeline({ '1': { image: 'gone.png' } }), registry, env);
    // The combo lists the folder's files, so a missing file is first of all not in the list.
    expect(nodeErrorsOf(result)['1']!.errors[0]!.type).toBe('value_not_in_list');
  });

  it('finds cycles and names each node on them', () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
      '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'x' } },
    };
    const result = validatePrompt(prompt, registry, env);
    expect(result.ok).toBe(false);
    expect(Object.keys(nodeErrorsOf(result)).sort()).toEqual(['1', '2']);
    expect(nodeErrorsOf(result)['1']!.errors[0]!.type).toBe('dependency_cycle');
    const self = validatePrompt(
      {
        '1': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
        '3': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
      },
      registry,
      env,
    );
    expect(nodeErrorsOf(self)['1']!.errors[0]!.type).toBe('dependency_cycle');
  });

  it('queues the good outputs when only some fail, reporting the others', () => {
    const prompt: ApiPrompt = {
      ...pipeline(),
      '4': { class_type: 'PreviewImage', inputs: { images: ['5', 0] } },
      '5': { class_type: 'ImageInvert', inputs: {} },
    };
    const result = validatePrompt(prompt, registry, env);
    expect(result.ok).toBe(true);
    expect(result.ok && result.value.outputs).toEqual(['3']);
    expect(nodeErrorsOf(result)['5']!.dependent_outputs).toEqual(['4']);
  });

  it('honours partial execution targets', () => {
    const prompt: ApiPrompt = { ...pipeline(), '4': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } } };
    const result = validatePrompt(prompt, registry, env, { partialExecutionTargets: ['4'] });
    expect(result.ok && result.value.outputs).toEqual(['4']);
  });

  it('accepts a STRING link into a widget input and unwraps __value__ constants', () => {
    const prompt: ApiPrompt = {
      ...pipeline(),
      '7': { class_type: 'PrimitiveStringMultiline', inputs: { value: { __value__: 'prefix' } } },
    };
    prompt['3']!.inputs.filename_prefix = ['7', 0];
    const result = validatePrompt(prompt, registry, env);
    expect(result.ok).toBe(true);
    expect(result.ok && result.value.prompt['7']!.inputs.value).toBe('prefix');
  });
});

describe('the validated prompt', () => {
  it('holds the nodes the good outputs need, with their classes, typed links and cast constants', () => {
    const prompt: ApiPrompt = {
      ...pipeline({ '2': { width: '8', image: [1, 0], extra: 'ignored' } }),
      '4': { class_type: 'PreviewImage', inputs: { images: ['5', 0] } },
      '5': { class_type: 'ImageInvert', inputs: {} },
    };
    const result = validatePrompt(prompt, registry, env);
    if (!result.ok) throw new Error(result.reason.error.message);
    const { nodes, outputs } = result.value.validated;
    expect(outputs).toEqual(['3']);
    expect([...nodes.keys()]).toEqual(['1', '2', '3']);
    const scale = nodes.get('2');
    expect(scale?.nodeClass).toBe(registry.get('ImageScale'));
    expect(scale?.inputs).toEqual(
      new Map<string, unknown>([
        ['image', { kind: 'link', from: '1', slot: 0 }],
        ['upscale_method', { kind: 'constant', value: 'bilinear' }],
        ['width', { kind: 'constant', value: 8 }],
        ['height', { kind: 'constant', value: 4 }],
        ['crop', { kind: 'constant', value: 'disabled' }],
      ]),
    );
  });

  it('is what the engine reads back from the queued prompt with its own registry', () => {
    const result = validatePrompt(pipeline({ '2': { height: 6.9 } }), registry, env);
    if (!result.ok) throw new Error(result.reason.error.message);
    const read = readValidatedPrompt(result.value.prompt, result.value.outputs, createRegistry());
    expect(read).toEqual({ ok: true, value: result.value.validated });
  });

  it('is not read back with a registry that lacks one of its classes', () => {
    const result = validatePrompt(pipeline(), registry, env);
    if (!result.ok) throw new Error(result.reason.error.message);
    const without = new Map([...registry].filter(([classType]) => classType !== 'ImageScale'));
    expect(readValidatedPrompt(result.value.prompt, result.value.outputs, without)).toEqual({
      ok: false,
      reason: 'node #2: ImageScale does not exist',
    });
  });
});
