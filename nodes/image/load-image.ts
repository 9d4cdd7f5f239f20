import { defineNode } from '../contract/node-definition.js';
import { rasterToImageBatch, toRgbRaster } from '../runtime/image/image-batch.js';
import type { MaskBatch } from '../contract/socket-types.js';
import { isOpaque } from '../../media/raster.js';
import { listImageFiles } from '../../media/image-files.js';
import { loadImageMemory } from '../runtime/image/image-memory.js';
import {
  inputImageFile,
  inputImageFingerprint,
  inputImageProblem,
  readInputImage,
} from '../runtime/image/input-image.js';

export const LoadImage = defineNode({
  classType: 'LoadImage',
  displayName: 'Load Image',
  category: 'image',
  description: 'Loads a PNG or JPEG from the input folder. The mask output is 1 − alpha (all zeros without alpha).',
  translations: {
    'zh-CN': {
      display_name: '加载图像',
      description: '从输入文件夹加载 PNG 或 JPEG 图像。遮罩输出为 1 − alpha。',
      inputs: { image: '图像' },
    },
  },
  inputs: {
    image: { kind: 'COMBO', options: (env) => listImageFiles(env.inputDir), imageUpload: true },
  },
  outputs: [
    { type: 'IMAGE', name: 'IMAGE' },
    { type: 'MASK', name: 'MASK' },
  ],
  validate: (inputs, env) => inputImageProblem(inputs.image, env),
  fingerprint: (inputs, env) => inputImageFingerprint(inputs.image, env),
  estimate: ({ image }, ctx) => {
    const file = image === undefined ? undefined : inputImageFile(ctx.env.inputDir, image);
    return loadImageMemory(file?.ok ? file.value : undefined);
  },
  run: ({ image }, ctx) => {
    const decoded = readInputImage(image, ctx.env);
    if (!decoded.ok) throw new Error(decoded.reason);
    const raster = decoded.value.raster;
    const hasAlpha = raster.channels === 4 && !isOpaque(raster);
    let mask: MaskBatch;
    if (hasAlpha) {
      const data = new Float32Array(raster.width * raster.height);
      for (let i = 0; i < data.length; i++) data[i] = 1 - raster.data[i * 4 + 3]! / 255;
      mask = { batch: 1, height: raster.height, width: raster.width, data };
    } else {
      mask = { batch: 1, height: 64, width: 64, data: new Float32Array(64 * 64) };
    }
    return { outputs: [rasterToImageBatch(toRgbRaster(raster)), mask] };
  },
});
