import { defineNode } from '../contract/node-definition.js';
import { compositeLatent, latentOutput } from '../runtime/diffusion/latent-ops.js';
import '../runtime/diffusion/types.js';

export const LatentComposite = defineNode({
  classType: 'LatentComposite',
  displayName: 'Latent Composite',
  category: 'latent',
  description:
    "Pastes samples_from onto samples_to at pixel x, y (in samples_to's cell size), with an optional feathered edge.",
  translations: {
    'zh-CN': {
      display_name: '潜空间合成',
      description: '把 samples_from 贴到 samples_to 的像素位置 x, y（按潜空间单元换算），可选羽化边缘。',
      inputs: { samples_to: '目标潜空间', samples_from: '源潜空间', x: 'x', y: 'y', feather: '羽化' },
    },
  },
  inputs: {
    samples_to: { kind: 'SOCKET', type: 'LATENT' },
    samples_from: { kind: 'SOCKET', type: 'LATENT' },
    x: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    y: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    feather: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ samples_to }) => latentOutput(samples_to),
  run: ({ samples_to, samples_from, x, y, feather }) => {
    const cell = samples_to.downscale ?? 8;
    const out = compositeLatent(
      samples_to.samples,
      samples_from.samples,
      Math.floor(x / cell),
      Math.floor(y / cell),
      Math.floor(feather / cell),
    );
    return { outputs: [{ ...samples_to, samples: out }] };
  },
});
