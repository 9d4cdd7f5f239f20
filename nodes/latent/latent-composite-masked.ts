import { defineNode } from '../contract/node-definition.js';
import { compositeLatentMasked, latentOutput } from '../runtime/diffusion/latent-ops.js';
import '../runtime/diffusion/types.js';

export const LatentCompositeMasked = defineNode({
  classType: 'LatentCompositeMasked',
  displayName: 'LatentCompositeMasked',
  category: 'latent',
  description:
    "Pastes the source latent onto the destination at pixel x, y (in the destination's cell size), through the mask when one is given.",
  translations: {
    'zh-CN': {
      display_name: '遮罩合成潜空间',
      description: '把源潜空间按遮罩贴到目标潜空间的像素位置 x, y（按潜空间单元换算）。',
      inputs: { destination: '目标', source: '源', x: 'x', y: 'y', resize_source: '缩放源潜空间', mask: '遮罩' },
    },
  },
  inputs: {
    destination: { kind: 'SOCKET', type: 'LATENT' },
    source: { kind: 'SOCKET', type: 'LATENT' },
    x: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    y: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    resize_source: { kind: 'BOOLEAN', default: false },
    mask: { kind: 'SOCKET', type: 'MASK', optional: true },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ destination }) => latentOutput(destination),
  run: ({ destination, source, x, y, resize_source, mask }) => {
    const cell = destination.downscale ?? 8;
    const out = compositeLatentMasked(destination.samples, source.samples, x, y, cell, resize_source, mask);
    return { outputs: [{ ...destination, samples: out }] };
  },
});
