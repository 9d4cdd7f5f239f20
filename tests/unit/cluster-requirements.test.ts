import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { comboOptions } from '../../nodes/contract/input-spec.js';
import { createRegistry } from '../../nodes/index.js';
import {
  advertisedOptions,
  canRun,
  imageFileRequirements,
  mergedOptions,
  modelRequirements,
} from '../../server/cluster/requirements.js';
import { workerGroup, type WorkerAdvert } from '../../server/cluster/worker-advert.js';
import { validatePrompt } from '../../server/prompt/validate.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { makeTestEnv } from '../helpers/env.js';

const env = makeTestEnv('inkgraph-requirements-');
afterAll(() => env.cleanup());
const registry = createRegistry();

function pipeline(name: string): void {
  mkdirSync(join(env.modelsDir, 'diffusion', name), { recursive: true });
  writeFileSync(join(env.modelsDir, 'diffusion', name, 'model_index.json'), '{}');
}

const prompt: ApiPrompt = {
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'big-model' } },
  '2': { class_type: 'LoraLoader', inputs: { model: ['1', 0], clip: ['1', 1], lora_name: 'ink.safetensors' } },
  '3': { class_type: 'LoadImage', inputs: { image: 'photos/cat.png' } },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'big-model' } },
};

function advert(options: WorkerAdvert['options']): WorkerAdvert {
  return {
    id: 'w',
    host: 'h',
    pid: 1,
    group: workerGroup(options, 'cpu'),
    executionProvider: 'cpu',
    concurrency: 1,
    options,
    state: 'idle',
    jobs: [],
    heartbeatAt: 0,
    startedAt: 0,
  };
}

describe('what a cluster job needs and what a worker has', () => {
  it('reads the model combos a prompt names, once each, but not its image inputs', () => {
    expect(modelRequirements(prompt, registry)).toEqual([
      { key: 'CheckpointLoaderSimple.ckpt_name', value: 'big-model' },
      { key: 'LoraLoader.lora_name', value: 'ink.safetensors' },
    ]);
    expect(imageFileRequirements(prompt, registry)).toEqual([{ folder: 'input', name: 'photos/cat.png' }]);
  });

  it("advertises the worker's model folders, and routes a job only to a worker with every model", () => {
    pipeline('big-model');
    const options = advertisedOptions(registry, env);
    expect(options['CheckpointLoaderSimple.ckpt_name']).toEqual(['big-model']);
    expect(options['LoadImage.image']).toBeUndefined();
    const requirements = modelRequirements(prompt, registry);
    expect(canRun(requirements, options)).toBe(false);
    expect(canRun(requirements, { ...options, 'LoraLoader.lora_name': ['ink.safetensors'] })).toBe(true);
    expect(canRun([], {})).toBe(true);
  });

  it('groups workers by models and provider, whatever the order they list them in', () => {
    expect(workerGroup({ a: ['x', 'y'], b: [] }, 'cpu')).toBe(workerGroup({ b: [], a: ['y', 'x'] }, 'cpu'));
    expect(workerGroup({ a: ['x'] }, 'cpu')).not.toBe(workerGroup({ a: ['x'] }, 'webgpu'));
    expect(workerGroup({ a: ['x'] }, 'cpu')).not.toBe(workerGroup({ a: ['x', 'z'] }, 'cpu'));
  });

  it("lets the coordinator's validation accept what only workers have, and nothing else", () => {
    const extra = mergedOptions([
      advert({ 'CheckpointLoaderSimple.ckpt_name': ['remote-b'] }),
      advert({ 'CheckpointLoaderSimple.ckpt_name': ['remote-a', 'remote-b'] }),
    ]);
    expect(extra.get('CheckpointLoaderSimple.ckpt_name')).toEqual(['remote-a', 'remote-b']);
    const input = registry.get('CheckpointLoaderSimple')!.inputs.ckpt_name!;
    if (input.kind !== 'COMBO') throw new Error('ckpt_name is a combo');
    expect(comboOptions(input, env, extra.get('CheckpointLoaderSimple.ckpt_name'))).toEqual([
      'big-model',
      'remote-a',
      'remote-b',
    ]);
    const loader = (name: string): ApiPrompt => ({
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: name } },
      '2': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['1', 2] } },
      '3': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '4': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
    });
    expect(validatePrompt(loader('remote-a'), registry, env, { extraComboOptions: extra }).ok).toBe(true);
    expect(validatePrompt(loader('remote-a'), registry, env).ok).toBe(false);
    const missing = validatePrompt(loader('nowhere'), registry, env, { extraComboOptions: extra });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(JSON.stringify(missing.reason.nodeErrors['1'])).toContain("ckpt_name: 'nowhere' not in");
  });
});
