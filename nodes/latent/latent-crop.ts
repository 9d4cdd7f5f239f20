import { defineNode } from '../contract/node-definition.js';
import { cropLatent, latentOutput } from '../runtime/diffusion/latent-ops.js';
import '../runtime/diffusion/types.js';

/** ComfyUI keeps the crop's corner at least 64 px from the latent's far edges. */
const MIN_EDGE_PX = 64;

export const LatentCrop = defineNode({
  classType: 'LatentCrop',
  displayName: 'Crop Latent',
  category: 'latent/transform',
  description:
    "Crops latents to a pixel window (in the latent's own cell size); the corner stays at least 64 px from the far edges.",
  translations: {
    'zh-CN': {
      display_name: '裁剪潜空间',
      description: '按像素窗口裁剪潜空间图像（按潜空间自身的单元大小换算）；起点距右下边缘至少 64 像素。',
      inputs: { samples: '潜空间', width: '宽度', height: '高度', x: 'x', y: 'y' },
    },
  },
  inputs: {
    samples: { kind: 'SOCKET', type: 'LATENT' },
    width: { kind: 'INT', default: 512, min: 64, max: 16384, step: 8 },
    height: { kind: 'INT', default: 512, min: 64, max: 16384, step: 8 },
    x: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
    y: { kind: 'INT', default: 0, min: 0, max: 16384, step: 8 },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ samples, width, height, x, y }) => {
    if (!samples || width === undefined || height === undefined || x === undefined || y === undefined)
      return latentOutput(undefined);
    const cell = samples.downscale;
    // The crop of an empty tensor of this shape has the output's shape.
    const probe = cropLatent(
      { batch: 0, channels: 0, height: samples.height, width: samples.width, data: new Float32Array(0) },
      Math.floor(x / cell),
      Math.floor(y / cell),
      Math.floor(width / cell),
      Math.floor(height / cell),
      Math.floor(MIN_EDGE_PX / cell),
    );
    return latentOutput({ ...samples, width: probe.width, height: probe.height });
  },
  run: ({ samples, width, height, x, y }) => {
    const cell = samples.downscale ?? 8;
    const cropped = cropLatent(
      samples.samples,
      Math.floor(x / cell),
      Math.floor(y / cell),
      Math.floor(width / cell),
      Math.floor(height / cell),
      Math.floor(MIN_EDGE_PX / cell),
    );
    if (cropped.width === 0 || cropped.height === 0)
      throw new Error(`LatentCrop: x ${x}, y ${y} leave an empty ${cropped.width}×${cropped.height} crop`);
    return { outputs: [{ ...samples, samples: cropped }] };
  },
});
