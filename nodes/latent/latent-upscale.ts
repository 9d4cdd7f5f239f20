import { defineNode } from '../contract/node-definition.js';
import {
  cropModes,
  resizePixels,
  resolveTargetSize,
  type CropMode,
  type UpscaleMethod,
} from '../runtime/image/resize.js';
import type { Tensor4 } from '../runtime/diffusion/types.js';
import { latentUpscaleMemory } from '../runtime/image/image-memory.js';

const latentUpscaleMethods = ['nearest-exact', 'bilinear', 'area', 'bicubic'] as const;

/**
 * Resizes an NCHW tensor one channel plane at a time (each plane is a one-channel image to the resampler), so
 * besides the output only one plane's scratch is held: a 16384² upscale needs no channels-last copies.
 */
function resizeTensor(
  tensor: Tensor4,
  width: number,
  height: number,
  method: UpscaleMethod,
  crop: CropMode,
  onPlane: () => void,
): Tensor4 {
  const { batch, channels } = tensor;
  const plane = tensor.height * tensor.width;
  const outPlane = width * height;
  const data = new Float32Array(batch * channels * outPlane);
  for (let index = 0; index < batch * channels; index++) {
    const source = {
      batch: 1,
      channels: 1,
      height: tensor.height,
      width: tensor.width,
      data: tensor.data.subarray(index * plane, (index + 1) * plane),
    };
    // Latents are raw values, not pixels: a bicubic overshoot is kept, as torch's interpolate keeps it.
    data.set(resizePixels(source, width, height, method, crop, undefined, false).data, index * outPlane);
    onPlane();
  }
  return { batch, channels, height, width, data };
}

export const LatentUpscale = defineNode({
  classType: 'LatentUpscale',
  displayName: 'Upscale Latent',
  category: 'latent',
  description:
    "Resizes latents to a pixel width and height (in the latent's own cell size); 0 keeps the aspect ratio, the minimum is 64 px.",
  translations: {
    'zh-CN': {
      display_name: '放大潜空间',
      description: '将潜空间图像缩放到指定像素宽高（每 8 像素一个单元）；0 表示保持宽高比，最小 64 像素。',
      inputs: { samples: '潜空间', upscale_method: '缩放方法', width: '宽度', height: '高度', crop: '裁剪' },
    },
  },
  inputs: {
    samples: { kind: 'SOCKET', type: 'LATENT' },
    upscale_method: { kind: 'COMBO', options: latentUpscaleMethods },
    width: { kind: 'INT', default: 512, min: 0, max: 16384, step: 8 },
    height: { kind: 'INT', default: 512, min: 0, max: 16384, step: 8 },
    crop: { kind: 'COMBO', options: cropModes },
  },
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ samples, width, height }) => latentUpscaleMemory(samples, width, height),
  run: ({ samples, upscale_method, width, height, crop }, ctx) => {
    const source = samples.samples;
    const cell = samples.downscale ?? 8;
    if (width === 0 && height === 0) return { outputs: [samples] };
    const target = resolveTargetSize(source.width, source.height, width, height);
    const targetWidth = Math.max(64, target.width);
    const targetHeight = Math.max(64, target.height);
    // A large upscale takes a while: every plane is a point where an interrupt takes effect.
    const resized = resizeTensor(
      source,
      Math.max(1, Math.floor(targetWidth / cell)),
      Math.max(1, Math.floor(targetHeight / cell)),
      upscale_method,
      crop,
      () => ctx.throwIfInterrupted(),
    );
    return { outputs: [{ samples: resized, downscale: cell }] };
  },
});
