import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { listModelFolder, modelFolderNames, modelFolderSource } from '../../server/model-folders.js';

describe('model folders', () => {
  it('lists Inkgraph folders first, then every ComfyUI folder once', () => {
    const names = modelFolderNames();
    expect(names.slice(0, 6)).toEqual(['diffusion', 'classifiers', 'segmenters', 'embeddings', 'vae', 'text_encoders']);
    for (const comfy of ['checkpoints', 'loras', 'controlnet', 'upscale_models', 'diffusion_models', 'configs'])
      expect(names).toContain(comfy);
    expect(new Set(names).size).toBe(names.length);
  });

  it('maps ComfyUI names onto loaders, files or nothing, and refuses unknown ones', () => {
    expect(modelFolderSource('checkpoints')).toEqual({
      kind: 'loader',
      classType: 'CheckpointLoaderSimple',
      input: 'ckpt_name',
    });
    expect(modelFolderSource('vae')).toEqual({ kind: 'loader', classType: 'VAELoader', input: 'vae_name' });
    expect(modelFolderSource('classifiers')).toEqual({ kind: 'files', folder: 'classifiers' });
    expect(modelFolderSource('loras')).toEqual({ kind: 'files', folder: 'loras' });
    expect(modelFolderSource('controlnet')).toEqual({
      kind: 'loader',
      classType: 'ControlNetLoader',
      input: 'control_net_name',
    });
    expect(modelFolderSource('gligen')).toEqual({ kind: 'none' });
    expect(modelFolderSource('unet')).toEqual({ kind: 'none' });
    expect(modelFolderSource('clip')).toEqual({ kind: 'files', folder: 'text_encoders' });
    expect(modelFolderSource('nope')).toBeUndefined();
    expect(modelFolderSource('__proto__')).toBeUndefined();
    expect(modelFolderSource('constructor')).toBeUndefined();
  });

  it('lists pipelines as checkpoints and only those with a VAE decoder as VAEs', () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'inkgraph-models-'));
    for (const name of ['alpha', 'beta']) {
      mkdirSync(join(modelsDir, 'diffusion', name), { recursive: true });
      writeFileSync(join(modelsDir, 'diffusion', name, 'model_index.json'), '{}');
    }
    mkdirSync(join(modelsDir, 'diffusion', 'beta', 'vae_decoder'));
    writeFileSync(join(modelsDir, 'diffusion', 'beta', 'vae_decoder', 'model.onnx'), '');
    const env = { modelsDir, inputDir: modelsDir, outputDir: modelsDir, tempDir: modelsDir };
    const list = (folder: string): string[] => listModelFolder(modelFolderSource(folder)!, createRegistry(), env);
    expect(list('checkpoints')).toEqual(['alpha', 'beta']);
    expect(list('vae')).toEqual(['beta']);
    expect(list('loras')).toEqual([]);
    mkdirSync(join(modelsDir, 'loras', 'styles'), { recursive: true });
    writeFileSync(join(modelsDir, 'loras', 'styles', 'ink.safetensors'), '');
    expect(list('loras')).toEqual(['styles/ink.safetensors']);
  });
});
