import { defineNode } from '../contract/node-definition.js';
import { imageShape } from '../runtime/image/image-memory.js';
import { blendImages, blendMismatch, blendModes } from '../runtime/image/image-filters.js';

export const ImageBlend = defineNode({
  classType: 'ImageBlend',
  displayName: 'ImageBlend',
  category: 'image/postprocessing',
  description:
    "Blends image2 over image1 with a blend mode, mixed in by blend_factor; image2 is resized to image1's size (bicubic, centre crop) when they differ.",
  translations: {
    'zh-CN': {
      display_name: '图像混合',
      description:
        '以混合模式将 image2 叠加到 image1 上，按 blend_factor 混入；尺寸不同时 image2 缩放到 image1 的尺寸（双三次，居中裁剪）。',
      inputs: { image1: '图像1', image2: '图像2', blend_factor: '混合系数', blend_mode: '混合模式' },
    },
  },
  inputs: {
    image1: { kind: 'SOCKET', type: 'IMAGE' },
    image2: { kind: 'SOCKET', type: 'IMAGE' },
    blend_factor: { kind: 'FLOAT', default: 0.5, min: 0.0, max: 1.0, step: 0.01 },
    blend_mode: { kind: 'COMBO', options: blendModes },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ image1, image2 }) => {
    if (!image1 || !image2) return { outputs: [undefined], workingBytes: 0 };
    const batch = Math.max(image1.batch, image2.batch);
    const resized = image2.batch * image1.height * image1.width * image2.channels * 4;
    return {
      outputs: [imageShape(batch, image1.height, image1.width, image1.channels)],
      workingBytes: resized,
    };
  },
  run: ({ image1, image2, blend_factor, blend_mode }) => {
    // Resizing keeps channels and batch, so the inputs can be checked before it.
    const mismatch = blendMismatch(image1, image2);
    if (mismatch) throw new Error(`ImageBlend: image2 does not fit image1: ${mismatch}`);
    return { outputs: [blendImages(image1, image2, blend_factor, blend_mode)] };
  },
});
