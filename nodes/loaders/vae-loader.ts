import { defineNode } from '../contract/node-definition.js';
import { listVaes, loadVaeOnly } from '../runtime/diffusion/pipeline-loader.js';
import { modelPath } from '../runtime/model-path.js';
import { vaeLoaderMemory } from '../runtime/diffusion/memory-estimates.js';

export const VAELoader = defineNode({
  classType: 'VAELoader',
  displayName: 'Load VAE',
  category: 'loaders',
  description:
    "Loads only the VAE of a pipeline folder in models/diffusion, to decode or encode with another model's VAE.",
  translations: {
    'zh-CN': {
      display_name: '加载 VAE',
      description: '只加载 models/diffusion 中某个流水线的 VAE，以便与其他模型搭配解码或编码。',
      inputs: { vae_name: 'VAE 名称' },
    },
  },
  inputs: {
    vae_name: { kind: 'COMBO', options: (env) => listVaes(env.modelsDir) },
  },
  outputs: [{ type: 'VAE', name: 'VAE' }],
  estimate: ({ vae_name }, ctx) => vaeLoaderMemory(vae_name, ctx),
  run: async ({ vae_name }, ctx) => {
    const dir = modelPath(ctx.env.modelsDir, 'diffusion', vae_name, 'vae_name');
    return { outputs: [await loadVaeOnly(dir, ctx.caches)] };
  },
});
